// Inverted dropout masks (Keras/TensorFlow semantics): a kept unit is scaled by 1 / (1 - rate) at
// train time, inference is the identity. Mask element e of a (rows, width) activation is
// philox_word(seed, kDropout, layer, step, e) >= dropout_threshold(rate), so any backend that
// numbers elements row-major draws the same mask.
#pragma once

#include <cstdint>

namespace audify::nn {

// out[e] = keep ? 1 / (1 - rate) : 0 for e in [0, n).
void fill_dropout_scale(uint64_t seed, uint32_t step, uint32_t layer, double rate, int n,
                        float* out);

}  // namespace audify::nn
