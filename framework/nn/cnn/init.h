// Keras's default initialisers drawn from Philox (RandomStream::kInit, counter a = layer index),
// so an initial network is a pure function of (seed, architecture) on every backend.
#pragma once

#include <cstdint>

#include "nn/cnn/tensor.h"

namespace audify::nn::cnn {

struct InitSeed {
  uint64_t seed = 0;
  uint32_t layer = 0;  // position in the network: each layer draws its own numbers
};

// glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)); element e takes draw number e.
void glorot_uniform(Param& p, int fan_in, int fan_out, const InitSeed& seed);

}  // namespace audify::nn::cnn
