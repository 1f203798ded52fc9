// Kernels: the Salamon et al. (2014) clip statistics over each clip's MFCC frames, batched like
// the rest of the pipeline. (1) DeltaKernel: librosa.feature.delta of order 1 and 2 for every
// (frame, coefficient) of the batch; (2) ClipStatsKernel: one thread per (clip, coefficient)
// reduces its column to min, max, median, mean, var, skew, kurtosis and the deltas' mean / var.
// CPU twin: features/summary_stats.cpp; both run features/summary_math.h's arithmetic (double
// accumulation, two-pass moments, SciPy's constant-sample test, numpy's median by an in-place
// quickselect, here on a per-column copy in scratch).
#pragma once

#include "features/summary_math.h"
#include "kernels/launch_entry.cuh"

namespace audify::gpu {

// features/summary_stats.h's Stat, without its C++20 header (nvcc compiles this as C++17);
// mfcc_gpu.cpp static_asserts that the values agree.
enum class StatCode : int {
  min,
  max,
  median,
  mean,
  var,
  skew,
  kurtosis,
  d1_mean,
  d1_var,
  d2_mean,
  d2_var
};
inline constexpr int kMaxStats = 11;
inline constexpr int kDeltaWidth = 9;  // librosa.feature.delta's default, as the CPU uses

// Savitzky-Golay taps for every window a clip can get: width w in {1, 3, ..., kDeltaWidth}
// (shrunk for short clips), order 1 and 2, window position p, tap j.
AUDIFY_HD inline int delta_tap_index(int order, int w, int p, int j) {
  return (((order - 1) * (kDeltaWidth / 2 + 1) + w / 2) * kDeltaWidth + p) * kDeltaWidth + j;
}
inline constexpr int kDeltaTaps = 2 * (kDeltaWidth / 2 + 1) * kDeltaWidth * kDeltaWidth;

struct DeltaKernel {
  const float* mfcc;       // (frames, n_mfcc)
  const int* frame_clip;   // (frames)
  const int* first_frame;  // (clips + 1)
  const double* taps;      // (kDeltaTaps) at delta_tap_index
  float* d1;               // (frames, n_mfcc) out, or null when not wanted
  float* d2;               // (frames, n_mfcc) out, or null when not wanted
  long long n;             // frames * n_mfcc
  int n_mfcc;

  struct Shared {};
  static constexpr int kPhases = 1;

  // summary_stats.cpp's delta(): the window shrinks to the largest odd count of frames that fits;
  // at the edges frames use the first / last full window; 0 when too few frames for the order.
  AUDIFY_HD float derivative(int order, long long t_in_clip, int n_clip, long long clip_row0,
                             int k) const {
    const int w = summary_math::delta_width(n_clip, kDeltaWidth);
    if (w <= order) return 0.0f;
    const long long start = summary_math::delta_window_start(t_in_clip, n_clip, w);
    const double* tap = taps + delta_tap_index(order, w, static_cast<int>(t_in_clip - start), 0);
    double acc = 0.0;
    for (int j = 0; j < w; ++j) acc += tap[j] * mfcc[(clip_row0 + start + j) * n_mfcc + k];
    return static_cast<float>(acc);
  }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long e = global_x(g);
    if (e >= n) return;
    const long long f = e / n_mfcc;
    const int k = static_cast<int>(e % n_mfcc);
    const int c = frame_clip[f];
    const long long row0 = first_frame[c];
    const int n_clip = first_frame[c + 1] - first_frame[c];
    if (d1 != nullptr) d1[e] = derivative(1, f - row0, n_clip, row0, k);
    if (d2 != nullptr) d2[e] = derivative(2, f - row0, n_clip, row0, k);
  }
};
AUDIFY_KERNEL(DeltaKernel);

struct ClipStatsKernel {
  const float* mfcc;       // (frames, n_mfcc)
  const float* d1;         // (frames, n_mfcc) from DeltaKernel, or null when no d1_* stat
  const float* d2;         // (frames, n_mfcc) from DeltaKernel, or null when no d2_* stat
  const int* first_frame;  // (clips + 1)
  float* scratch;  // (frames, n_mfcc): clip c's column k at first_frame[c] * n_mfcc + k * rows
  float* out;      // (clips, n_stats * n_mfcc) out, statistic-major within a row
  int n_mfcc;
  int n_stats;
  StatCode stats[kMaxStats];

  struct Shared {};
  static constexpr int kPhases = 1;

  // grid.x = clip; the block's threads stride over the coefficients.
  static LaunchShape shape(int n_clips) { return launch_per_item(n_clips); }

  AUDIFY_HD double value(StatCode s, long long row0, long long rows, int k) const {
    using summary_math::column_moments;
    const float* x = mfcc + row0 * n_mfcc + k;
    switch (s) {
      case StatCode::min: {
        float v = x[0];
        for (long long t = 1; t < rows; ++t) v = x[t * n_mfcc] < v ? x[t * n_mfcc] : v;
        return v;
      }
      case StatCode::max: {
        float v = x[0];
        for (long long t = 1; t < rows; ++t) v = x[t * n_mfcc] > v ? x[t * n_mfcc] : v;
        return v;
      }
      case StatCode::median: {
        float* col = scratch + row0 * n_mfcc + k * rows;
        for (long long t = 0; t < rows; ++t) col[t] = x[t * n_mfcc];
        return summary_math::column_median(col, rows);
      }
      case StatCode::mean:
        return column_moments(x, rows, n_mfcc).mean;
      case StatCode::var:
        return column_moments(x, rows, n_mfcc).m2;
      case StatCode::skew:
        return summary_math::skewness(column_moments(x, rows, n_mfcc));
      case StatCode::kurtosis:
        return summary_math::excess_kurtosis(column_moments(x, rows, n_mfcc));
      case StatCode::d1_mean:
        return column_moments(d1 + row0 * n_mfcc + k, rows, n_mfcc).mean;
      case StatCode::d1_var:
        return column_moments(d1 + row0 * n_mfcc + k, rows, n_mfcc).m2;
      case StatCode::d2_mean:
        return column_moments(d2 + row0 * n_mfcc + k, rows, n_mfcc).mean;
      case StatCode::d2_var:
        return column_moments(d2 + row0 * n_mfcc + k, rows, n_mfcc).m2;
    }
    return 0.0;
  }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long c = g.block.x;
    const long long row0 = first_frame[c];
    const long long rows = first_frame[c + 1] - row0;
    float* row = out + c * n_stats * n_mfcc;
    for (int k = static_cast<int>(g.thread.x); k < n_mfcc; k += static_cast<int>(g.block_dim.x))
      for (int s = 0; s < n_stats; ++s)
        row[s * n_mfcc + k] = rows > 0 ? static_cast<float>(value(stats[s], row0, rows, k)) : 0.0f;
  }
};
AUDIFY_KERNEL(ClipStatsKernel);

}  // namespace audify::gpu
