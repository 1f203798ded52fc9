// Kernel: each clip's MFCCs averaged over its frames (the `mean` summary), one thread per (clip,
// coefficient), accumulating in double like the CPU's summarize().
#pragma once

#include "kernels/launch_entry.cuh"

namespace audify::gpu {

struct ClipMeanKernel {
  const float* mfcc;       // (frames, n_mfcc)
  const int* first_frame;  // (clips + 1)
  float* mean;             // (clips, n_mfcc) out
  int n_mfcc;

  struct Shared {};
  static constexpr int kPhases = 1;

  // grid.x = clip; the block's threads stride over the coefficients.
  static LaunchShape shape(int n_clips) { return launch_per_item(n_clips); }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const int c = static_cast<int>(g.block.x);
    const int begin = first_frame[c];
    const int end = first_frame[c + 1];
    for (int k = static_cast<int>(g.thread.x); k < n_mfcc; k += static_cast<int>(g.block_dim.x)) {
      double acc = 0.0;
      for (int t = begin; t < end; ++t) acc += mfcc[static_cast<long long>(t) * n_mfcc + k];
      mean[static_cast<long long>(c) * n_mfcc + k] =
          end > begin ? static_cast<float>(acc / (end - begin)) : 0.0f;
    }
  }
};
AUDIFY_KERNEL(ClipMeanKernel);

}  // namespace audify::gpu
