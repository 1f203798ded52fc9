// Kernels: librosa.power_to_db per clip of a batch, in two launches because the top_db clamp needs
// each clip's maximum: (1) convert to dB and reduce each block's maximum (a tree in shared memory,
// one phase per level), (2) fold the blocks' maxima of the clip and clamp. CPU twin:
// cpu_mfcc::power_to_db_clip applied to each clip's (frames, n_mels) matrix.
#pragma once

#include "features/mfcc_math.h"
#include "kernels/launch_entry.cuh"

namespace audify::gpu {

inline constexpr float kLowestFloat = -3.40282347e+38f;

// Both launches: grid (blocks_per_clip, clips), kThreadsPerBlock threads; block b of clip c strides
// over the clip's elements [first_frame[c] * n_mels, first_frame[c + 1] * n_mels).
inline LaunchShape per_clip_shape(int blocks_per_clip, int n_clips) {
  LaunchShape s;
  s.grid.x = static_cast<unsigned>(blocks_per_clip);
  s.grid.y = static_cast<unsigned>(n_clips);
  s.block.x = kThreadsPerBlock;
  return s;
}

struct DbMaxKernel {
  const float* mel;        // (frames, n_mels) mel power
  const int* first_frame;  // (clips + 1)
  float* log_mel;          // (frames, n_mels) out: dB before the clamp
  float* block_max;        // (clips, blocks_per_clip) out: each block's maximum dB
  int n_mels;
  float amin;
  float ref_db;  // db_of_power(ref, amin), hoisted like the CPU does

  struct Shared {
    float max[kThreadsPerBlock];
  };
  static constexpr int kLevels = 8;  // log2(kThreadsPerBlock)
  static constexpr int kPhases = 1 + kLevels;

  AUDIFY_HD void operator()(int phase, const GridIndex& g, Shared& s) const {
    const unsigned t = g.thread.x;
    if (phase == 0) {
      const long long c = g.block.y;
      const long long end = static_cast<long long>(first_frame[c + 1]) * n_mels;
      const long long stride = static_cast<long long>(g.grid_dim.x) * g.block_dim.x;
      float m = kLowestFloat;
      for (long long e = first_frame[c] * static_cast<long long>(n_mels) + global_x(g); e < end;
           e += stride) {
        const float db = mfcc_math::db_of_power(mel[e], amin) - ref_db;
        log_mel[e] = db;
        m = db > m ? db : m;
      }
      s.max[t] = m;
      return;
    }
    const unsigned half = kThreadsPerBlock >> phase;  // 128, 64, ..., 1
    if (t < half && s.max[t + half] > s.max[t]) s.max[t] = s.max[t + half];
    if (phase == kLevels && t == 0)
      block_max[static_cast<long long>(g.block.y) * g.grid_dim.x + g.block.x] = s.max[0];
  }
};
AUDIFY_KERNEL(DbMaxKernel);

struct TopDbClampKernel {
  const int* first_frame;  // (clips + 1)
  const float* block_max;  // (clips, blocks_per_clip) from DbMaxKernel, same grid
  float* log_mel;          // (frames, n_mels) in/out
  int n_mels;
  float top_db;

  struct Shared {};
  static constexpr int kPhases = 1;

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long c = g.block.y;
    float max_db = kLowestFloat;  // a handful of partials: every thread folds them itself
    for (unsigned b = 0; b < g.grid_dim.x; ++b) {
      const float m = block_max[c * g.grid_dim.x + b];
      max_db = m > max_db ? m : max_db;
    }
    const long long end = static_cast<long long>(first_frame[c + 1]) * n_mels;
    const long long stride = static_cast<long long>(g.grid_dim.x) * g.block_dim.x;
    for (long long e = first_frame[c] * static_cast<long long>(n_mels) + global_x(g); e < end;
         e += stride)
      log_mel[e] = mfcc_math::clamp_top_db(log_mel[e], max_db, top_db);
  }
};
AUDIFY_KERNEL(TopDbClampKernel);

}  // namespace audify::gpu
