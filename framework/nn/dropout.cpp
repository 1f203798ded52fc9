// Fills dropout scales four elements per Philox call; cloned per instruction set so the 32x32->64
// multiplies of the Philox rounds vectorise across counters.
#include "nn/dropout.h"

#include "core/simd.h"

#include "nn/dropout_mask.h"

namespace audify::nn {

AUDIFY_TARGET_CLONES void fill_dropout_scale(uint64_t seed, uint32_t step, uint32_t layer,
                                             double rate, int n, float* out) {
  const uint64_t threshold = dropout_threshold(rate);
  const float scale = rate < 1.0 ? static_cast<float>(1.0 / (1.0 - rate)) : 0.0f;
  const auto key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  const int groups = n / 4;
  for (int g = 0; g < groups; ++g) {
    const Philox4 r = philox4x32_10(Philox4{{static_cast<uint32_t>(g), layer, step,
                                             static_cast<uint32_t>(RandomStream::kDropout)}},
                                    key0, key1);
    for (int j = 0; j < 4; ++j) out[4 * g + j] = r.v[j] >= threshold ? scale : 0.0f;
  }
  for (int e = 4 * groups; e < n; ++e)
    out[e] = dropout_keep(seed, step, layer, static_cast<uint32_t>(e), threshold) ? scale : 0.0f;
}

}  // namespace audify::nn
