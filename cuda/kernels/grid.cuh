// The launch geometry a kernel body sees, without a CUDA header: the real backend fills it from
// blockIdx/threadIdx/blockDim/gridDim, the host emulation from its loops over blocks and threads.
// A kernel is a trivially copyable struct (its fields are the kernel's arguments) with
//   struct Shared;                 // the block's __shared__ memory, plain data
//   static constexpr int kPhases;  // __syncthreads() sits between consecutive phases
//   AUDIFY_HD void operator()(int phase, const GridIndex&, Shared&) const;
// so a barrier is a phase boundary, which the emulation can honour by running every thread of a
// block through one phase before any starts the next.
#pragma once

#include "features/mfcc_math.h"  // AUDIFY_HD

namespace audify::gpu {

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

struct GridIndex {
  Dim3 block;      // blockIdx
  Dim3 thread;     // threadIdx
  Dim3 block_dim;  // blockDim
  Dim3 grid_dim;   // gridDim
};

struct LaunchShape {
  Dim3 grid;
  Dim3 block;
};

inline constexpr unsigned kThreadsPerBlock = 256;

// Blocks of kThreadsPerBlock covering n elements along x.
inline LaunchShape launch_1d(long long n) {
  LaunchShape shape;
  shape.grid.x = static_cast<unsigned>((n + kThreadsPerBlock - 1) / kThreadsPerBlock);
  if (shape.grid.x == 0) shape.grid.x = 1;
  shape.block.x = kThreadsPerBlock;
  return shape;
}

// One block per item along x (a clip, a model), its threads striding over the item's columns.
inline LaunchShape launch_per_item(int items, unsigned threads = 64) {
  LaunchShape shape;
  shape.grid.x = static_cast<unsigned>(items);
  shape.block.x = threads;
  return shape;
}

// The flat x index of this thread in a 1-D launch.
AUDIFY_HD inline long long global_x(const GridIndex& g) {
  return static_cast<long long>(g.block.x) * g.block_dim.x + g.thread.x;
}

}  // namespace audify::gpu
