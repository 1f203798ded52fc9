// Orthonormal DCT-II matrix, built in float64 from the closed form and rounded once to float32.
#include "features/dct.h"

#include "core/error.h"
#include "features/mfcc_math.h"

namespace audify {

Matrix make_dct_ortho(int n_mfcc, int n_mels) {
  if (n_mels <= 0) fail("features.n_mels: must be positive, got {}", n_mels);
  if (n_mfcc <= 0 || n_mfcc > n_mels)
    fail("features.n_mfcc: must be in [1, n_mels={}], got {}", n_mels, n_mfcc);
  Matrix d(static_cast<std::size_t>(n_mfcc), static_cast<std::size_t>(n_mels));
  for (int k = 0; k < n_mfcc; ++k)
    for (int n = 0; n < n_mels; ++n)
      d(static_cast<std::size_t>(k), static_cast<std::size_t>(n)) =
          static_cast<float>(mfcc_math::dct_ortho_coefficient(k, n, n_mels));
  return d;
}

}  // namespace audify
