// Kernels around the CNN's convolutions, per element of NCHW batches: the per-channel bias with
// an optional ReLU (fused when a block has no pooling between them), ReLU's backward from its
// output (nn/activation.h's rule, as nn::cnn::Relu), the bias gradient (a channel sum), and
// inverted dropout whose mask is the CPU's (nn::dropout_keep over the element index, the layer's
// index and the step: nn::cnn::Dropout's Philox words), kept as a scale for the backward pass.
#pragma once

#include <cstdint>

#include "kernels/channel_reduce.cuh"
#include "kernels/elementwise.cuh"
#include "kernels/launch_entry.cuh"
#include "nn/activation.h"
#include "nn/dropout_mask.h"

namespace audify::gpu {

// y = relu?(x + bias[c]); bias may be null (ReLU only), y may alias x.
struct BiasReluKernel : ElementwiseKernel<BiasReluKernel> {
  const float* x;     // (n, channels, plane)
  float* y;           // (n, channels, plane) out
  const float* bias;  // (channels) or null
  long long count;    // n * channels * plane
  long long plane;    // h * w
  int channels;
  bool relu;

  AUDIFY_HD void at(long long e) const {
    float v = x[e];
    if (bias != nullptr) v += bias[e / plane % channels];
    y[e] = relu ? nn::activate(nn::Activation::kRelu, v) : v;
  }
};
AUDIFY_KERNEL(BiasReluKernel);

// dx = dy * relu'(y), y the ReLU's output; dx may alias dy.
struct ReluBackwardKernel : ElementwiseKernel<ReluBackwardKernel> {
  const float* y;
  const float* dy;
  float* dx;
  long long count;

  AUDIFY_HD void at(long long e) const {
    dx[e] = dy[e] * nn::activation_grad(nn::Activation::kRelu, y[e]);
  }
};
AUDIFY_KERNEL(ReluBackwardKernel);

// sum[c] = sum over the batch and pixels of x[n, c, :]: a bias's gradient.
struct ChannelSumKernel {
  const float* x;  // (n, channels, plane)
  float* sum;      // (channels) out
  int n;
  int channels;
  long long plane;

  using Shared = ChannelSums;
  static constexpr int kPhases = 2;
  static LaunchShape shape(int channels) { return launch_per_channel(channels); }

  AUDIFY_HD void operator()(int phase, const GridIndex& g, Shared& s) const {
    const int c = static_cast<int>(g.block.x);
    if (phase == 0) {
      double part = 0.0;
      for (long long j = g.thread.x; j < n * plane; j += g.block_dim.x)
        part += x[channel_at(j, c, channels, plane)];
      s.part[g.thread.x] = part;
    } else if (g.thread.x == 0) {
      sum[c] = static_cast<float>(combine(s, g.block_dim.x));
    }
  }
};
AUDIFY_KERNEL(ChannelSumKernel);

// Training dropout: scale[e] = keep ? 1 / (1 - rate) : 0 and y[e] = x[e] * scale[e].
struct DropoutKernel : ElementwiseKernel<DropoutKernel> {
  const float* x;
  float* y;
  float* scale;  // out: the mask as a scale, for DropoutBackward (ScaleKernel)
  long long count;
  uint64_t seed;
  uint64_t threshold;  // nn::dropout_threshold(rate)
  float keep_scale;    // 1 / (1 - rate)
  uint32_t step;
  uint32_t layer;

  AUDIFY_HD void at(long long e) const {
    const float s =
        nn::dropout_keep(seed, step, layer, static_cast<uint32_t>(e), threshold) ? keep_scale : 0;
    scale[e] = s;
    y[e] = x[e] * s;
  }
};
AUDIFY_KERNEL(DropoutKernel);

// y = x * scale element by element (dropout's backward).
struct ScaleKernel : ElementwiseKernel<ScaleKernel> {
  const float* x;
  const float* scale;
  float* y;
  long long count;

  AUDIFY_HD void at(long long e) const { y[e] = x[e] * scale[e]; }
};
AUDIFY_KERNEL(ScaleKernel);

}  // namespace audify::gpu
