// Kernels of the output layer: bias + softmax + categorical cross-entropy on the logits with its
// gradient (p - onehot) / rows, in the CPU's order of operations (nn/softmax_xent.cpp: max
// subtracted, float sums, the loss in double; Keras trains a softmax model from its logits, so no
// probability clipping), and the epoch's running loss and accuracy summed on the device in row
// order, so the host reads them once per epoch; plus the inference softmax.
#pragma once

#include <cmath>

#include "kernels/launch_entry.cuh"
#include "kernels/model_step.cuh"

namespace audify::gpu {

struct SoftmaxXentKernel {
  float* z;             // (models, max_batch, classes): in X W^T, out dL/dlogits
  const float* params;  // (models, param_stride)
  long long param_stride;
  long long bias_offset;
  const int* labels;       // (models, max_batch)
  const ModelStep* steps;  // (models): rows
  double* row_loss;        // (models, max_batch) scratch
  int* row_correct;        // (models, max_batch) scratch
  double* loss_sum;        // (models) in/out: the epoch's running sum of -log p[label]
  int* correct;            // (models) in/out: the epoch's running count of correct argmaxes
  int classes;
  int max_batch;

  struct Shared {};
  static constexpr int kPhases = 2;  // rows in parallel, then thread 0 sums them in order

  static LaunchShape shape(int models) { return launch_per_item(models); }

  AUDIFY_HD void operator()(int phase, const GridIndex& g, Shared&) const {
    const int m = static_cast<int>(g.block.x);
    const int rows = steps[m].rows;
    const long long first = static_cast<long long>(m) * max_batch;
    if (phase == 1) {
      if (g.thread.x != 0) return;
      double loss = 0.0;
      int hits = 0;
      for (int r = 0; r < rows; ++r) {
        loss += row_loss[first + r];
        hits += row_correct[first + r];
      }
      loss_sum[m] += loss;
      correct[m] += hits;
      return;
    }
    const float* bias = params + m * param_stride + bias_offset;
    const float inv_rows = rows > 0 ? 1.0f / static_cast<float>(rows) : 0.0f;
    for (int r = static_cast<int>(g.thread.x); r < max_batch;
         r += static_cast<int>(g.block_dim.x)) {
      float* row = z + (first + r) * classes;
      if (r >= rows) {  // padding: no gradient
        for (int c = 0; c < classes; ++c) row[c] = 0.0f;
        continue;
      }
      for (int c = 0; c < classes; ++c) row[c] += bias[c];
      const int y = labels[first + r];
      int arg = 0;
      for (int c = 1; c < classes; ++c) arg = row[c] > row[arg] ? c : arg;
      const float mx = row[arg];
      const double zy = static_cast<double>(row[y]) - mx;
      float sum = 0.0f;
      for (int c = 0; c < classes; ++c) {
        row[c] = std::exp(row[c] - mx);
        sum += row[c];
      }
      row_loss[first + r] = std::log(static_cast<double>(sum)) - zy;
      row_correct[first + r] = arg == y ? 1 : 0;
      const float inv = 1.0f / sum;
      for (int c = 0; c < classes; ++c) row[c] = (row[c] * inv - (c == y ? 1.0f : 0.0f)) * inv_rows;
    }
  }
};
AUDIFY_KERNEL(SoftmaxXentKernel);

// Inference: logits (rows, classes) + bias -> probabilities in place, as nn::softmax_rows.
struct SoftmaxKernel {
  float* z;
  const float* bias;  // (classes)
  int rows;
  int classes;

  struct Shared {};
  static constexpr int kPhases = 1;

  static LaunchShape shape(int rows) { return launch_1d(rows); }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long r = global_x(g);
    if (r >= rows) return;
    float* row = z + r * classes;
    for (int c = 0; c < classes; ++c) row[c] += bias[c];
    float mx = row[0];
    for (int c = 1; c < classes; ++c) mx = row[c] > mx ? row[c] : mx;
    float sum = 0.0f;
    for (int c = 0; c < classes; ++c) {
      row[c] = std::exp(row[c] - mx);
      sum += row[c];
    }
    const float inv = 1.0f / sum;
    for (int c = 0; c < classes; ++c) row[c] *= inv;
  }
};
AUDIFY_KERNEL(SoftmaxKernel);

}  // namespace audify::gpu
