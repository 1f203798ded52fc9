// Kernels of a hidden Dense layer around its GEMMs, per element of (models, max_batch, width)
// row-major activations: bias + activation + inverted dropout forward (fused: one pass over the
// GEMM's output), the activation's backward, and the bias gradient. Dropout draws the same Philox
// word for element r * width + c as the CPU trainer (nn/dropout.h), so a seed gives one mask on
// both; the per-element maths is nn/activation.h's, shared with the CPU.
#pragma once

#include "kernels/elementwise.cuh"
#include "kernels/launch_entry.cuh"
#include "kernels/model_step.cuh"
#include "nn/activation.h"
#include "nn/dropout_mask.h"

namespace audify::gpu {

struct BiasActDropoutKernel {
  float* z;                // (models, max_batch, width): in X W^T, out the layer's output
  float* pre;              // (models, max_batch, width) out: output before dropout; may be null
  float* scale;            // (models, max_batch, width) out: dropout scale; may be null
  const float* params;     // (models, param_stride)
  long long param_stride;  // floats per model
  long long bias_offset;   // of this layer's bias within a model's parameters
  const ModelStep* steps;  // (models); null = inference (no dropout)
  nn::Activation activation;
  int width;
  int max_batch;
  unsigned layer;

  struct Shared {};
  static constexpr int kPhases = 1;

  static LaunchShape shape(int width, int max_batch, int models) {
    LaunchShape s = launch_1d(static_cast<long long>(width) * max_batch);
    s.grid.y = static_cast<unsigned>(models);
    return s;
  }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long e = global_x(g);
    if (e >= static_cast<long long>(width) * max_batch) return;
    const int m = static_cast<int>(g.block.y);
    const int c = static_cast<int>(e % width);
    const long long at = static_cast<long long>(m) * max_batch * width + e;
    const float y = nn::activate(activation, z[at] + params[m * param_stride + bias_offset + c]);
    float s = 1.0f;
    if (steps != nullptr && steps[m].drop_threshold > 0)
      s = nn::dropout_keep(steps[m].seed, steps[m].step, layer, static_cast<uint32_t>(e),
                           steps[m].drop_threshold)
              ? steps[m].drop_scale
              : 0.0f;
    if (pre != nullptr) pre[at] = y;
    if (scale != nullptr) scale[at] = s;
    z[at] = y * s;
  }
};
AUDIFY_KERNEL(BiasActDropoutKernel);

// dz = dh * scale * activation'(pre) over `count` elements (all models at once: same strides).
struct ActBackwardKernel : ElementwiseKernel<ActBackwardKernel> {
  const float* dh;
  const float* pre;
  const float* scale;
  float* dz;  // out
  long long count;
  nn::Activation activation;

  AUDIFY_HD void at(long long e) const {
    dz[e] = dh[e] * scale[e] * nn::activation_grad(activation, pre[e]);
  }
};
AUDIFY_KERNEL(ActBackwardKernel);

// grad[bias + c] = sum over the batch's rows of dz[r][c], rows in order as the CPU sums them
// (padding rows hold zeros); one thread per (unit, model).
struct BiasGradKernel {
  const float* dz;  // (models, max_batch, width)
  float* grad;      // (models, param_stride) out at bias_offset
  long long param_stride;
  long long bias_offset;
  int width;
  int max_batch;

  struct Shared {};
  static constexpr int kPhases = 1;

  static LaunchShape shape(int width, int models) {
    LaunchShape s = launch_1d(width);
    s.grid.y = static_cast<unsigned>(models);
    return s;
  }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long c = global_x(g);
    if (c >= width) return;
    const int m = static_cast<int>(g.block.y);
    const float* col = dz + static_cast<long long>(m) * max_batch * width + c;
    float sum = 0.0f;
    for (int r = 0; r < max_batch; ++r) sum += col[static_cast<long long>(r) * width];
    grad[m * param_stride + bias_offset + c] = sum;
  }
};
AUDIFY_KERNEL(BiasGradKernel);

}  // namespace audify::gpu
