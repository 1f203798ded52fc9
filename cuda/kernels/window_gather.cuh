// Kernel: a CNN batch from clips' frames on the device, nn::cnn::copy_window's rule: sample s is
// frames [start[s], start[s] + window) of clip clip[s] transposed to (bands, window) and scaled,
// frames past the clip's end the scaled clip minimum (nn/cnn/clip_windows.h). The starts come from
// the host (random_window_start for training, window_starts for inference), so crops are the CPU's.
#pragma once

#include "kernels/elementwise.cuh"
#include "kernels/launch_entry.cuh"

namespace audify::gpu {

struct WindowGatherKernel : ElementwiseKernel<WindowGatherKernel> {
  const float* frames;           // every clip's (frames, bands) row-major, back to back
  const long long* clip_offset;  // (clips): first float of each clip in `frames`
  const int* clip_frames;        // (clips)
  const float* clip_floor;       // (clips): each clip's minimum value
  const int* clip;               // (n): the batch's clips
  const int* start;              // (n): each sample's first frame
  float* images;                 // (n, 1, bands, window) out
  long long count;               // n * bands * window
  float mean, inv_std;           // InputScaling
  int bands;
  int window;

  AUDIFY_HD void at(long long e) const {
    const long long image = static_cast<long long>(bands) * window;
    const long long s = e / image;
    const int b = static_cast<int>(e % image / window);
    const int t = static_cast<int>(e % window);
    const int c = clip[s];
    const int f = start[s] + t;
    const float v = f < clip_frames[c]
                        ? frames[clip_offset[c] + static_cast<long long>(f) * bands + b]
                        : clip_floor[c];
    images[e] = (v - mean) * inv_std;
  }
};
AUDIFY_KERNEL(WindowGatherKernel);

}  // namespace audify::gpu
