// Kernels of the CNN's update and penalty: SGD with momentum over a flat parameter buffer
// (nn::cnn::CnnTrainer's rule: v = mu v + g; w -= lr * decay * w + lr * v), and y += alpha x (the
// L2 penalty's 2 l2 W added to a dense weight's gradient).
#pragma once

#include "kernels/launch_entry.cuh"

namespace audify::gpu {

struct SgdMomentumKernel {
  const float* grad;
  float* weights;   // in/out
  float* velocity;  // in/out
  long long count;
  float lr, momentum, decay;  // decay = lr * weight_decay

  struct Shared {};
  static constexpr int kPhases = 1;
  static LaunchShape shape(long long count) { return launch_1d(count); }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long e = global_x(g);
    if (e >= count) return;
    velocity[e] = momentum * velocity[e] + grad[e];
    weights[e] -= decay * weights[e] + lr * velocity[e];
  }
};
AUDIFY_KERNEL(SgdMomentumKernel);

struct AddScaledKernel {
  const float* x;
  float* y;  // in/out
  long long count;
  float alpha;

  struct Shared {};
  static constexpr int kPhases = 1;
  static LaunchShape shape(long long count) { return launch_1d(count); }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long e = global_x(g);
    if (e >= count) return;
    const float scaled = alpha * x[e];
    y[e] += scaled;
  }
};
AUDIFY_KERNEL(AddScaledKernel);

}  // namespace audify::gpu
