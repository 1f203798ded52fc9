// Kernel: cut every clip of a batch into centred, windowed frames, in one launch. Clips lie back to
// back in one signal buffer (no clip is padded to the longest); the centre padding (zeros or
// numpy's reflect) is never materialised: each frame sample asks where it falls in its clip.
// CPU twin: cpu_mfcc::pad_signal + cpu_mfcc::window_frame.
#pragma once

#include "kernels/launch_entry.cuh"

namespace audify::gpu {

// np.pad(mode='reflect') source index for position p (may be < 0 or >= n) of an n-sample clip:
// a periodic extension with period 2(n-1), edges not repeated. n >= 1.
AUDIFY_HD inline long long reflect_index(long long p, long long n) {
  const long long period = 2 * (n - 1) > 1 ? 2 * (n - 1) : 1;
  const long long j = ((p % period) + period) % period;
  return j >= n ? period - j : j;
}

struct FrameWindowKernel {
  const float* signal;           // (total samples) every clip, back to back
  const long long* clip_start;   // (clips) first sample of clip c in signal
  const long long* clip_length;  // (clips) samples of clip c
  const int* frame_clip;         // (frames) clip of each frame of the batch
  const int* first_frame;        // (clips + 1) frame index where clip c starts
  const float* window;           // (n_fft) Hann window centred in zeros
  float* frames;                 // (frames, n_fft) out: windowed frames, row-major
  int n_fft;
  int hop;
  int pad;  // n_fft / 2 when centred, else 0
  bool reflect;

  struct Shared {};
  static constexpr int kPhases = 1;

  // grid.x = frame, grid.y * block.x + thread.x = sample in the frame.
  static LaunchShape shape(int n_frames, int n_fft) {
    LaunchShape s;
    s.block.x = kThreadsPerBlock;
    s.grid.x = static_cast<unsigned>(n_frames);
    s.grid.y = (static_cast<unsigned>(n_fft) + kThreadsPerBlock - 1) / kThreadsPerBlock;
    return s;
  }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const int f = static_cast<int>(g.block.x);
    const int i = static_cast<int>(g.block.y * g.block_dim.x + g.thread.x);
    if (i >= n_fft) return;
    const int c = frame_clip[f];
    const long long n = clip_length[c];
    long long p = static_cast<long long>(f - first_frame[c]) * hop + i - pad;  // in the clip
    float v = 0.0f;
    if (p >= 0 && p < n) {
      v = signal[clip_start[c] + p];
    } else if (reflect && n > 0) {
      p = reflect_index(p, n);
      v = signal[clip_start[c] + p];
    }
    frames[static_cast<long long>(f) * n_fft + i] = v * window[i];
  }
};
AUDIFY_KERNEL(FrameWindowKernel);

}  // namespace audify::gpu
