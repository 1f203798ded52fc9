// Kernel: Adam over every model's flat parameter buffer in one launch, element by element with
// nn::adam_element (TensorFlow's ApplyAdam with explicit fmas, bit-identical to the CPU's loops);
// a model idle this step (rows = 0) keeps its parameters and moments.
#pragma once

#include "kernels/launch_entry.cuh"
#include "kernels/model_step.cuh"
#include "nn/adam.h"

namespace audify::gpu {

struct AdamKernel {
  const float* grad;       // (models, params)
  float* weights;          // (models, params) in/out
  float* m1;               // (models, params) in/out: first moments
  float* m2;               // (models, params) in/out: second moments
  const ModelStep* steps;  // (models)
  long long params;

  struct Shared {};
  static constexpr int kPhases = 1;

  static LaunchShape shape(long long params, int models) {
    LaunchShape s = launch_1d(params);
    s.grid.y = static_cast<unsigned>(models);
    return s;
  }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long i = global_x(g);
    const int m = static_cast<int>(g.block.y);
    if (i >= params || steps[m].rows == 0) return;
    const long long at = m * params + i;
    nn::adam_element(steps[m].adam, grad[at], weights[at], m1[at], m2[at]);
  }
};
AUDIFY_KERNEL(AdamKernel);

}  // namespace audify::gpu
