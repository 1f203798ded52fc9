// Adam exactly as Keras 2.x applies it (optimizer_v2/adam.py + TF's ApplyAdam): the bias
// corrections fold into the step size, lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t), and epsilon is
// added to sqrt(v) uncorrected ("epsilon hat"); w -= lr_t * m / (sqrt(v) + eps). Optional
// decoupled weight decay (AdamW): w -= lr * decay * w before the Adam step.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "core/philox.h"

namespace audify::nn {

struct AdamHyper {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-7, weight_decay = 0.0;
};

// Per-step scalars, computed once per step (t counts from 1) in float like Keras.
struct AdamStep {
  float lr_t, beta1, beta2, eps, decay;  // decay = lr * weight_decay
};

inline AdamStep adam_step(const AdamHyper& h, int64_t t) {
  const float b1 = static_cast<float>(h.beta1), b2 = static_cast<float>(h.beta2);
  const float tf = static_cast<float>(t);
  const float lr = static_cast<float>(h.lr);
  const float lr_t = lr * (std::sqrt(1.0f - std::pow(b2, tf)) / (1.0f - std::pow(b1, tf)));
  return {lr_t, b1, b2, static_cast<float>(h.eps), static_cast<float>(h.lr * h.weight_decay)};
}

AUDIFY_HD inline void adam_element(const AdamStep& s, float g, float& w, float& m, float& v) {
  // TensorFlow's ApplyAdam kernel (m += (g - m)(1 - b1), v += (g^2 - v)(1 - b2)) with every
  // multiply-add an explicit fma, so that compilers cannot contract differently on different
  // paths: the vector loops, this scalar tail and a CUDA kernel give bit-identical results.
  m = std::fma(g - m, 1.0f - s.beta1, m);
  v = std::fma(std::fma(g, g, -v), 1.0f - s.beta2, v);
  w = std::fma(-s.decay, w, w);
  w -= (m * s.lr_t) / (std::sqrt(v) + s.eps);
}

// Applies one step to n parameters.
void adam_update(const AdamStep& s, std::size_t n, const float* g, float* w, float* m, float* v);

}  // namespace audify::nn
