// Kernels of the output layer: bias + softmax + categorical cross-entropy on the logits with its
// gradient (p - onehot) / rows, or (p - t) / rows for soft targets, each row the CPU's own
// arithmetic (nn/softmax_xent_row.h; Keras trains a softmax model from its logits, so no
// probability clipping), and the epoch's running loss and accuracy summed on the device in row
// order, so the host reads them once per epoch; plus the inference softmax.
#pragma once

#include <cmath>

#include "kernels/launch_entry.cuh"
#include "kernels/model_step.cuh"
#include "nn/softmax_xent_row.h"

namespace audify::gpu {

// Phase 1 of the loss kernels: model m's row results summed in row order into its epoch sums.
AUDIFY_HD inline void sum_xent_rows(int m, long long first, int rows, const double* row_loss,
                                    const int* row_correct, double* loss_sum, int* correct) {
  double loss = 0.0;
  int hits = 0;
  for (int r = 0; r < rows; ++r) {
    loss += row_loss[first + r];
    hits += row_correct[first + r];
  }
  loss_sum[m] += loss;
  correct[m] += hits;
}

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
      if (g.thread.x == 0) sum_xent_rows(m, first, rows, row_loss, row_correct, loss_sum, correct);
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
      const nn::XentRow result = nn::xent_row(row, classes, labels[first + r], inv_rows);
      row_loss[first + r] = result.loss;
      row_correct[first + r] = result.correct ? 1 : 0;
    }
  }
};
AUDIFY_KERNEL(SoftmaxXentKernel);

// The same against soft targets (mixup's), as nn::softmax_xent_soft_backward, for one model whose
// logits already carry their bias (the GPU CNN's dense layer adds it).
struct SoftmaxXentSoftKernel {
  float* z;                // (max_batch, classes): in logits, out dL/dlogits
  const float* targets;    // (max_batch, classes), each row summing to 1
  const ModelStep* steps;  // (1): rows
  double* row_loss;        // (max_batch) scratch
  int* row_correct;        // (max_batch) scratch
  double* loss_sum;        // (1) in/out: the running sum of -sum t log p
  int* correct;            // (1) in/out: rows whose argmax is the target's
  int classes;
  int max_batch;

  struct Shared {};
  static constexpr int kPhases = 2;  // rows in parallel, then thread 0 sums them in order

  static LaunchShape shape() { return launch_per_item(1); }

  AUDIFY_HD void operator()(int phase, const GridIndex& g, Shared&) const {
    const int rows = steps[0].rows;
    if (phase == 1) {
      if (g.thread.x == 0) sum_xent_rows(0, 0, rows, row_loss, row_correct, loss_sum, correct);
      return;
    }
    const float inv_rows = rows > 0 ? 1.0f / static_cast<float>(rows) : 0.0f;
    for (int r = static_cast<int>(g.thread.x); r < rows; r += static_cast<int>(g.block_dim.x)) {
      const long long at = static_cast<long long>(r) * classes;
      const nn::XentRow result = nn::xent_row_soft(z + at, targets + at, classes, inv_rows);
      row_loss[r] = result.loss;
      row_correct[r] = result.correct ? 1 : 0;
    }
  }
};
AUDIFY_KERNEL(SoftmaxXentSoftKernel);

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
