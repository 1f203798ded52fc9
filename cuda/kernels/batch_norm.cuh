// Batch normalisation on NCHW batches, one block per channel, as nn::cnn::BatchNorm computes it:
// training takes the batch's mean and biased variance (two passes, in double) and moves the
// running statistics by Keras's rule with the unbiased variance; inference uses the running ones.
// The float expressions after the reductions (scale, shift, xhat, dx) are BatchNorm's own.
#pragma once

#include <cmath>

#include "kernels/channel_reduce.cuh"
#include "kernels/elementwise.cuh"
#include "kernels/launch_entry.cuh"

namespace audify::gpu {

// mean[c], inv_std[c] for this pass (and, training, the running statistics moved).
struct BatchNormStatsKernel {
  const float* x;       // (n, channels, plane)
  float* mean;          // (channels) out
  float* inv_std;       // (channels) out
  float* running_mean;  // (channels) in/out
  float* running_var;   // (channels) in/out
  double momentum;
  double epsilon;
  long long plane;
  int n;
  int channels;
  bool training;

  struct Shared {
    ChannelSums sums;
    double mean;
  };
  static constexpr int kPhases = 4;
  static LaunchShape shape(int channels) { return launch_per_channel(channels); }

  AUDIFY_HD void operator()(int phase, const GridIndex& g, Shared& s) const {
    const int c = static_cast<int>(g.block.x);
    const double count = static_cast<double>(n) * static_cast<double>(plane);
    if (!training) {
      if (phase == 0 && g.thread.x == 0) {
        mean[c] = running_mean[c];
        inv_std[c] = static_cast<float>(1.0 / sqrt(running_var[c] + epsilon));
      }
      return;
    }
    if (phase == 0 || phase == 2) {
      double part = 0.0;
      for (long long j = g.thread.x; j < n * plane; j += g.block_dim.x) {
        const float v = x[channel_at(j, c, channels, plane)];
        part += phase == 0 ? v : (v - s.mean) * (v - s.mean);
      }
      s.sums.part[g.thread.x] = part;
    } else if (phase == 1 && g.thread.x == 0) {
      s.mean = combine(s.sums, g.block_dim.x) / count;
    } else if (phase == 3 && g.thread.x == 0) {
      const double var = combine(s.sums, g.block_dim.x) / count;
      mean[c] = static_cast<float>(s.mean);
      inv_std[c] = static_cast<float>(1.0 / sqrt(var + epsilon));
      const double unbiased = count > 1 ? var * count / (count - 1) : var;
      running_mean[c] = static_cast<float>(momentum * running_mean[c] + (1 - momentum) * s.mean);
      running_var[c] = static_cast<float>(momentum * running_var[c] + (1 - momentum) * unbiased);
    }
  }
};
AUDIFY_KERNEL(BatchNormStatsKernel);

// y = x * scale + shift with scale = gamma * inv_std, shift = beta - mean * scale.
struct BatchNormApplyKernel : ElementwiseKernel<BatchNormApplyKernel> {
  const float* x;
  float* y;
  const float* gamma;
  const float* beta;
  const float* mean;
  const float* inv_std;
  long long count;  // n * channels * plane
  long long plane;
  int channels;

  AUDIFY_HD void at(long long e) const {
    const int c = static_cast<int>(e / plane % channels);
    const float scale = gamma[c] * inv_std[c];
    const float shift = beta[c] - mean[c] * scale;
    y[e] = x[e] * scale + shift;
  }
};
AUDIFY_KERNEL(BatchNormApplyKernel);

// The backward pass: gamma_grad[c] = sum dy * xhat, beta_grad[c] = sum dy, and dx (when not
// null) = scale * (dy - mean(dy) - xhat * mean(dy * xhat)) with batch statistics, scale * dy with
// running ones.
struct BatchNormBackwardKernel {
  const float* x;
  const float* dy;
  float* dx;  // may be null
  const float* gamma;
  const float* mean;
  const float* inv_std;
  float* gamma_grad;
  float* beta_grad;
  long long plane;
  int n;
  int channels;
  bool batch_statistics;

  struct Shared {
    ChannelSums dy_sums, dy_xhat_sums;
    float mean_dy, mean_dy_xhat;
  };
  static constexpr int kPhases = 3;
  static LaunchShape shape(int channels) { return launch_per_channel(channels); }

  AUDIFY_HD void operator()(int phase, const GridIndex& g, Shared& s) const {
    const int c = static_cast<int>(g.block.x);
    const double count = static_cast<double>(n) * static_cast<double>(plane);
    if (phase == 0) {
      double sum_dy = 0.0, sum_dy_xhat = 0.0;
      for (long long j = g.thread.x; j < n * plane; j += g.block_dim.x) {
        const long long at = channel_at(j, c, channels, plane);
        sum_dy += dy[at];
        sum_dy_xhat += dy[at] * ((x[at] - mean[c]) * inv_std[c]);
      }
      s.dy_sums.part[g.thread.x] = sum_dy;
      s.dy_xhat_sums.part[g.thread.x] = sum_dy_xhat;
    } else if (phase == 1 && g.thread.x == 0) {
      const double sum_dy = combine(s.dy_sums, g.block_dim.x);
      const double sum_dy_xhat = combine(s.dy_xhat_sums, g.block_dim.x);
      gamma_grad[c] = static_cast<float>(sum_dy_xhat);
      beta_grad[c] = static_cast<float>(sum_dy);
      s.mean_dy = batch_statistics ? static_cast<float>(sum_dy / count) : 0.0f;
      s.mean_dy_xhat = batch_statistics ? static_cast<float>(sum_dy_xhat / count) : 0.0f;
    } else if (phase == 2 && dx != nullptr) {
      const float scale = gamma[c] * inv_std[c];
      for (long long j = g.thread.x; j < n * plane; j += g.block_dim.x) {
        const long long at = channel_at(j, c, channels, plane);
        const float xhat = (x[at] - mean[c]) * inv_std[c];
        dx[at] = scale * (dy[at] - s.mean_dy - xhat * s.mean_dy_xhat);
      }
    }
  }
};
AUDIFY_KERNEL(BatchNormBackwardKernel);

}  // namespace audify::gpu
