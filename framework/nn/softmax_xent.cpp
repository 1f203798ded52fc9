// Numerically stable softmax (max subtracted) and its cross-entropy gradient.
#include "nn/softmax_xent.h"

#include <cmath>

#include "core/error.h"

namespace audify::nn {

void softmax_rows(int rows, int cols, float* z, int ld) {
  for (int r = 0; r < rows; ++r) {
    float* row = z + static_cast<long>(r) * ld;
    float mx = row[0];
    for (int c = 1; c < cols; ++c) mx = row[c] > mx ? row[c] : mx;
    float sum = 0.0f;
    for (int c = 0; c < cols; ++c) {
      row[c] = std::exp(row[c] - mx);
      sum += row[c];
    }
    const float inv = 1.0f / sum;
    for (int c = 0; c < cols; ++c) row[c] *= inv;
  }
}

XentResult softmax_xent_backward(int rows, int cols, float* z, int ld,
                                 std::span<const int> labels) {
  AUDIFY_ASSERT(static_cast<int>(labels.size()) == rows);
  XentResult res;
  const float inv_rows = 1.0f / static_cast<float>(rows);
  for (int r = 0; r < rows; ++r) {
    float* row = z + static_cast<long>(r) * ld;
    const int y = labels[r];
    int arg = 0;
    for (int c = 1; c < cols; ++c) arg = row[c] > row[arg] ? c : arg;
    const float mx = row[arg];
    const double zy = static_cast<double>(row[y]) - mx;  // kept: exp(zy) may underflow
    float sum = 0.0f;
    for (int c = 0; c < cols; ++c) {
      row[c] = std::exp(row[c] - mx);
      sum += row[c];
    }
    res.loss_sum += std::log(static_cast<double>(sum)) - zy;  // -log p_y
    res.correct += arg == y ? 1 : 0;
    const float inv = 1.0f / sum;
    for (int c = 0; c < cols; ++c) row[c] = (row[c] * inv - (c == y ? 1.0f : 0.0f)) * inv_rows;
  }
  return res;
}

XentResult softmax_xent_soft_backward(int rows, int cols, float* z, int ld, const float* targets) {
  XentResult res;
  const float inv_rows = 1.0f / static_cast<float>(rows);
  for (int r = 0; r < rows; ++r) {
    float* row = z + static_cast<long>(r) * ld;
    const float* t = targets + static_cast<long>(r) * cols;
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
    res.loss_sum += std::log(static_cast<double>(sum)) - dot;  // sum t = 1
    res.correct += arg == target_arg ? 1 : 0;
    const float inv = 1.0f / sum;
    for (int c = 0; c < cols; ++c) row[c] = (row[c] * inv - t[c]) * inv_rows;
  }
  return res;
}

}  // namespace audify::nn
