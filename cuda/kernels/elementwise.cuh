// What every one-thread-per-element kernel shares: no shared memory, one phase, a 1-D grid over
// `count` elements, and its body run for each element below `count`. A kernel derives from
// ElementwiseKernel<itself>, declares `long long count` and `AUDIFY_HD void at(long long e) const`,
// and is built with an empty first initializer for this base: `ScaleKernel{{}, x, scale, y, n}`.
#pragma once

#include "kernels/grid.cuh"

namespace audify::gpu {

template <typename Kernel>
struct ElementwiseKernel {
  struct Shared {};
  static constexpr int kPhases = 1;
  static LaunchShape shape(long long count) { return launch_1d(count); }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const Kernel& kernel = static_cast<const Kernel&>(*this);
    const long long e = global_x(g);
    if (e < kernel.count) kernel.at(e);
  }
};

}  // namespace audify::gpu
