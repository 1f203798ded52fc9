// Kernels of the CNN's update and penalty: SGD with momentum over a flat parameter buffer
// (nn::cnn::CnnTrainer's rule: v = mu v + g; w -= lr * decay * w + lr * v), and y += alpha x (the
// L2 penalty's 2 l2 W added to a dense weight's gradient).
#pragma once

#include "kernels/elementwise.cuh"
#include "kernels/launch_entry.cuh"

namespace audify::gpu {

struct SgdMomentumKernel : ElementwiseKernel<SgdMomentumKernel> {
  const float* grad;
  float* weights;   // in/out
  float* velocity;  // in/out
  long long count;
  float lr, momentum, decay;  // decay = lr * weight_decay

  AUDIFY_HD void at(long long e) const {
    velocity[e] = momentum * velocity[e] + grad[e];
    weights[e] -= decay * weights[e] + lr * velocity[e];
  }
};
AUDIFY_KERNEL(SgdMomentumKernel);

struct AddScaledKernel : ElementwiseKernel<AddScaledKernel> {
  const float* x;
  float* y;  // in/out
  long long count;
  float alpha;

  AUDIFY_HD void at(long long e) const {
    const float scaled = alpha * x[e];
    y[e] += scaled;
  }
};
AUDIFY_KERNEL(AddScaledKernel);

}  // namespace audify::gpu
