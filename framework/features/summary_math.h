// The arithmetic of the clip statistics (summary_stats.h), shared by the CPU and the CUDA kernels
// (cuda/kernels/clip_stats.cuh) so the two cannot drift: one strided column of floats reduced in
// double, two-pass central moments, SciPy's constant-sample test, numpy's median by an exact
// quickselect, and librosa.feature.delta's window rule.
#pragma once

#include <cmath>

#include "features/mfcc_math.h"  // AUDIFY_HD

namespace audify::summary_math {

struct ColumnMoments {
  double mean = 0, m2 = 0, m3 = 0, m4 = 0;
};

// x[t * stride] for t in [0, rows), rows >= 1: the mean, then the central moments over n.
AUDIFY_HD inline ColumnMoments column_moments(const float* x, long long rows, long long stride) {
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

// SciPy's test for a constant sample (where it returns NaN): m2 at the rounding level of the mean.
AUDIFY_HD inline bool constant_sample(const ColumnMoments& m) {
  const double tol = 1e-15 * m.mean;
  return m.m2 <= tol * tol;
}

// scipy.stats.skew and kurtosis (bias=True, Fisher), 0 for a constant sample.
AUDIFY_HD inline double skewness(const ColumnMoments& m) {
  return constant_sample(m) ? 0.0 : m.m3 / pow(m.m2, 1.5);
}
AUDIFY_HD inline double excess_kurtosis(const ColumnMoments& m) {
  return constant_sample(m) ? 0.0 : m.m4 / (m.m2 * m.m2) - 3.0;
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

// librosa.feature.delta's window for a clip of n frames: `width` shrunk to the largest odd count
// that fits (the result is <= order when there are too few frames: the delta is then 0).
AUDIFY_HD inline int delta_width(int n, int width) {
  const int fits = n % 2 == 1 ? n : n - 1;
  return fits < width ? fits : width;
}

// The first frame of the w-frame window holding frame t: centred inside, the first / last full
// window at the edges.
AUDIFY_HD inline long long delta_window_start(long long t, long long n, int w) {
  long long start = t - w / 2;
  start = start < 0 ? 0 : start;
  return start > n - w ? n - w : start;
}

}  // namespace audify::summary_math
