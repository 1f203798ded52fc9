// Per-feature standardisation (scikit-learn's StandardScaler): mean and population standard
// deviation (ddof = 0) learnt on the training side only, then applied to any side. A constant
// feature (std 0) is only centred, as scikit-learn does.
#pragma once

#include <vector>

#include "core/matrix.h"

namespace audify {

struct Standardizer {
  std::vector<double> mean;   // (features)
  std::vector<double> scale;  // (features), std or 1 where the std is 0

  void fit(const Matrix& x);
  Matrix apply(const Matrix& x) const;
  bool fitted() const { return !mean.empty(); }
};

}  // namespace audify
