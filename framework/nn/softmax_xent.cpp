// Numerically stable softmax (max subtracted) and its cross-entropy gradient; the per-row
// arithmetic is nn/softmax_xent_row.h, which the CUDA kernels share.
#include "nn/softmax_xent.h"

#include <cmath>

#include "core/error.h"
#include "nn/softmax_xent_row.h"

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
    const XentRow row = xent_row(z + static_cast<long>(r) * ld, cols, labels[r], inv_rows);
    res.loss_sum += row.loss;
    res.correct += row.correct ? 1 : 0;
  }
  return res;
}

XentResult softmax_xent_soft_backward(int rows, int cols, float* z, int ld, const float* targets) {
  XentResult res;
  const float inv_rows = 1.0f / static_cast<float>(rows);
  for (int r = 0; r < rows; ++r) {
    const XentRow row = xent_row_soft(z + static_cast<long>(r) * ld,
                                      targets + static_cast<long>(r) * cols, cols, inv_rows);
    res.loss_sum += row.loss;
    res.correct += row.correct ? 1 : 0;
  }
  return res;
}

}  // namespace audify::nn
