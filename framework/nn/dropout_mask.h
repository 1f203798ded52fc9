// Dropout masks as a pure function of (seed, step, layer, element), so the CPU trainer and the CUDA
// kernels drop the same units.
#pragma once

#include <cstdint>

#include "core/philox.h"

namespace audify::nn {

// Dropout keeps a unit when its uniform u satisfies u >= rate (TensorFlow's rule); in integers:
// word >= threshold with threshold = ceil(rate * 2^32). rate 1 drops everything.
AUDIFY_HD inline uint64_t dropout_threshold(double rate) {
  if (rate <= 0.0) return 0;
  if (rate >= 1.0) return uint64_t{1} << 32;
  const double t = rate * 4294967296.0;
  const uint64_t ti = static_cast<uint64_t>(t);
  return static_cast<double>(ti) < t ? ti + 1 : ti;
}

// Whether `element` (row * width + unit of one batch) of `layer` survives dropout at `step`.
AUDIFY_HD inline bool dropout_keep(uint64_t seed, uint32_t step, uint32_t layer, uint32_t element,
                                   uint64_t threshold) {
  return philox_word(seed, RandomStream::kDropout, layer, step, element) >= threshold;
}

}  // namespace audify::nn
