// Standardizer: two-pass double-precision moments, so large offsets do not cancel.
#include "baselines/standardizer.h"

#include <cmath>

#include "core/error.h"

namespace audify {

void Standardizer::fit(const Matrix& x) {
  AUDIFY_ASSERT(x.rows > 0);
  mean.assign(x.cols, 0.0);
  scale.assign(x.cols, 0.0);
  for (std::size_t r = 0; r < x.rows; ++r)
    for (std::size_t c = 0; c < x.cols; ++c) mean[c] += x(r, c);
  for (double& m : mean) m /= static_cast<double>(x.rows);
  for (std::size_t r = 0; r < x.rows; ++r)
    for (std::size_t c = 0; c < x.cols; ++c) {
      const double d = x(r, c) - mean[c];
      scale[c] += d * d;
    }
  for (double& s : scale) {
    s = std::sqrt(s / static_cast<double>(x.rows));
    if (s == 0.0) s = 1.0;
  }
}

Matrix Standardizer::apply(const Matrix& x) const {
  if (x.cols != mean.size())
    fail("standardizer: {} features given, {} learnt at fit time", x.cols, mean.size());
  Matrix out(x.rows, x.cols);
  for (std::size_t r = 0; r < x.rows; ++r)
    for (std::size_t c = 0; c < x.cols; ++c)
      out(r, c) = static_cast<float>((x(r, c) - mean[c]) / scale[c]);
  return out;
}

}  // namespace audify
