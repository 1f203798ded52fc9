// Hidden-layer activations by name, with the derivative expressed through the activation's output
// (what backward keeps), so the CUDA kernels can share these per-element functions.
#pragma once

#include <cmath>
#include <string>

#include "core/philox.h"

namespace audify::nn {

enum class Activation { kRelu, kTanh, kSigmoid, kLinear };

// "relu" | "tanh" | "sigmoid" | "linear"; throws audify::Error naming the value otherwise.
Activation parse_activation(const std::string& name);
const char* activation_name(Activation a);

AUDIFY_HD inline float activate(Activation a, float z) {
  switch (a) {
    case Activation::kRelu:
      return z > 0.0f ? z : 0.0f;
    case Activation::kTanh:
      return std::tanh(z);
    case Activation::kSigmoid:
      return 1.0f / (1.0f + std::exp(-z));
    case Activation::kLinear:
      return z;
  }
  return z;
}

// d activate / dz at the point whose output is y.
AUDIFY_HD inline float activation_grad(Activation a, float y) {
  switch (a) {
    case Activation::kRelu:
      return y > 0.0f ? 1.0f : 0.0f;
    case Activation::kTanh:
      return 1.0f - y * y;
    case Activation::kSigmoid:
      return y * (1.0f - y);
    case Activation::kLinear:
      return 1.0f;
  }
  return 1.0f;
}

}  // namespace audify::nn
