// A block's reduction over one channel of an NCHW batch (n * plane values at stride channels *
// plane), the building block of the CNN's per-channel kernels (bias gradient, batch norm): each
// thread sums its strided share in double, then thread 0 adds the shares in thread order. The
// caller spends two phases per reduction (kernels/grid.cuh): accumulate, then combine.
#pragma once

#include "kernels/grid.cuh"

namespace audify::gpu {

inline constexpr unsigned kChannelThreads = 256;

struct ChannelSums {
  double part[kChannelThreads];
};

// One block per channel, kChannelThreads threads.
inline LaunchShape launch_per_channel(int channels) {
  return launch_per_item(channels, kChannelThreads);
}

// Index of the j-th value (j in [0, n * plane)) of channel c.
AUDIFY_HD inline long long channel_at(long long j, int c, int channels, long long plane) {
  return (j / plane * channels + c) * plane + j % plane;
}

// Thread 0's combination of the shares.
AUDIFY_HD inline double combine(const ChannelSums& s, unsigned threads) {
  double total = 0.0;
  for (unsigned t = 0; t < threads; ++t) total += s.part[t];
  return total;
}

}  // namespace audify::gpu
