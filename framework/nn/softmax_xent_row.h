// One row of the training loss (nn/softmax_xent.h), shared by the CPU and the CUDA kernels
// (cuda/kernels/softmax_xent.cuh) so the two cannot drift: logits -> dL/dlogits in place, max
// subtracted, float sums, the loss in double.
#pragma once

#include <cmath>

#include "core/philox.h"  // AUDIFY_HD

namespace audify::nn {

struct XentRow {
  double loss = 0.0;  // -log p[label], or -sum t log p
  bool correct = false;
};

// A one-hot row of class y.
AUDIFY_HD inline XentRow xent_row(float* row, int cols, int y, float inv_rows) {
  int arg = 0;
  for (int c = 1; c < cols; ++c) arg = row[c] > row[arg] ? c : arg;
  const float mx = row[arg];
  const double zy = static_cast<double>(row[y]) - mx;  // kept: exp(zy) may underflow
  float sum = 0.0f;
  for (int c = 0; c < cols; ++c) {
    row[c] = std::exp(row[c] - mx);
    sum += row[c];
  }
  const float inv = 1.0f / sum;
  for (int c = 0; c < cols; ++c) row[c] = (row[c] * inv - (c == y ? 1.0f : 0.0f)) * inv_rows;
  return {std::log(static_cast<double>(sum)) - zy, arg == y};
}

// A soft target row t (summing to 1, e.g. mixup's); correct when the argmaxes agree.
AUDIFY_HD inline XentRow xent_row_soft(float* row, const float* t, int cols, float inv_rows) {
  int arg = 0, target_arg = 0;
  for (int c = 1; c < cols; ++c) {
    arg = row[c] > row[arg] ? c : arg;
    target_arg = t[c] > t[target_arg] ? c : target_arg;
  }
  const float mx = row[arg];
  float sum = 0.0f;
  double dot = 0.0;  // sum t (z - max)
  for (int c = 0; c < cols; ++c) {
    dot += static_cast<double>(t[c]) * (row[c] - mx);
    row[c] = std::exp(row[c] - mx);
    sum += row[c];
  }
  const float inv = 1.0f / sum;
  for (int c = 0; c < cols; ++c) row[c] = (row[c] * inv - t[c]) * inv_rows;
  return {std::log(static_cast<double>(sum)) - dot, arg == target_arg};  // sum t = 1
}

}  // namespace audify::nn
