// Kernels: the Salamon et al. (2014) clip statistics over each clip's MFCC frames, batched like
// the rest of the pipeline. (1) DeltaKernel: librosa.feature.delta of order 1 and 2 for every
// (frame, coefficient) of the batch; (2) ClipStatsKernel: one thread per (clip, coefficient)
// reduces its column to min, max, median, mean, var, skew, kurtosis and the deltas' mean / var.
// CPU twin: features/summary_stats.cpp, whose arithmetic (double accumulation in the same order,
// two-pass moments, SciPy's constant-sample test, numpy's median) is repeated here line for line.
// The median is an in-place quickselect on a per-column copy (scratch), exact like nth_element.
#pragma once

#include <cmath>

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
    int w = n_clip % 2 == 1 ? n_clip : n_clip - 1;
    w = w < kDeltaWidth ? w : kDeltaWidth;
    if (w <= order) return 0.0f;
    const int half = w / 2;
    long long start = t_in_clip - half;
    start = start < 0 ? 0 : start;
    start = start > n_clip - w ? n_clip - w : start;
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

// Two-pass central moments in double, as summary_stats.cpp's moments().
struct ColumnMoments {
  double mean = 0, m2 = 0, m3 = 0, m4 = 0;
};

AUDIFY_HD inline ColumnMoments column_moments(const float* x, long long rows, int stride) {
  ColumnMoments m;
  for (long long t = 0; t < rows; ++t) m.mean += x[t * stride];
  m.mean /= static_cast<double>(rows);
  for (long long t = 0; t < rows; ++t) {
    const double d = x[t * stride] - m.mean, d2 = d * d;
    m.m2 += d2;
    m.m3 += d2 * d;
    m.m4 += d2 * d2;
  }
  const double n = static_cast<double>(rows);
  m.m2 /= n;
  m.m3 /= n;
  m.m4 /= n;
  return m;
}

// SciPy's test for a constant sample (skew and kurtosis are then 0 here, NaN in SciPy).
AUDIFY_HD inline bool constant_sample(const ColumnMoments& m) {
  const double tol = 1e-15 * m.mean;
  return m.m2 <= tol * tol;
}

// The k-th smallest of x[0, n) (rearranging x), Hoare-partition quickselect; no recursion.
AUDIFY_HD inline float select_kth(float* x, long long n, long long k) {
  long long lo = 0, hi = n - 1;
  while (lo < hi) {
    const float pivot = x[lo + (hi - lo) / 2];
    long long i = lo, j = hi;
    while (i <= j) {
      while (x[i] < pivot) ++i;
      while (x[j] > pivot) --j;
      if (i <= j) {
        const float tmp = x[i];
        x[i] = x[j];
        x[j] = tmp;
        ++i;
        --j;
      }
    }
    if (k <= j) {
      hi = j;
    } else if (k >= i) {
      lo = i;
    } else {
      return x[k];
    }
  }
  return x[k];
}

// numpy.median of x[0, n), n >= 1 (x is rearranged).
AUDIFY_HD inline double column_median(float* x, long long n) {
  const long long h = n / 2;
  const double upper = select_kth(x, n, h);
  if (n % 2 == 1) return upper;
  float lower = x[0];  // after the selection x[0, h) holds the h smallest
  for (long long t = 1; t < h; ++t) lower = x[t] > lower ? x[t] : lower;
  return 0.5 * (static_cast<double>(lower) + upper);
}

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
        return column_median(col, rows);
      }
      case StatCode::mean:
        return column_moments(x, rows, n_mfcc).mean;
      case StatCode::var:
        return column_moments(x, rows, n_mfcc).m2;
      case StatCode::skew: {
        const ColumnMoments m = column_moments(x, rows, n_mfcc);
        return constant_sample(m) ? 0.0 : m.m3 / pow(m.m2, 1.5);
      }
      case StatCode::kurtosis: {
        const ColumnMoments m = column_moments(x, rows, n_mfcc);
        return constant_sample(m) ? 0.0 : m.m4 / (m.m2 * m.m2) - 3.0;
      }
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
