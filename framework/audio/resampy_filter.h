// resampy 0.4.2's pre-computed interpolation filters (`kaiser_fast`, `kaiser_best`), rebuilt in C++
// from the parameters that generated the package's kaiser_*.npz instead of shipping the tables.
#pragma once

#include <vector>

#include "audio/resample.h"

namespace audify {

// The right wing of a Kaiser-windowed sinc, sampled `num_table` times per zero crossing:
// half_window[k] = rolloff * sinc(rolloff * k / num_table) * kaiser(2N+1, beta)[N + k], k = 0..N,
// N = num_zeros * num_table (resampy.filters.sinc_window with a scipy Kaiser window).
struct ResampyFilter {
  std::vector<double> half_window;  // (num_zeros * num_table + 1)
  int num_table = 0;                // 2^precision: table entries per zero crossing
  int num_zeros = 0;
  double rolloff = 0.0;  // cut-off as a fraction of Nyquist
  double beta = 0.0;     // Kaiser window shape
};

// Builds the table the way resampy.filters.sinc_window does, in the same floating-point order.
ResampyFilter make_sinc_window(int num_zeros, int precision, double rolloff, double beta);

// The named filter, built on first use and shared afterwards (thread-safe). `which` must be
// kaiser_fast or kaiser_best.
const ResampyFilter& resampy_filter(Resampler which);

}  // namespace audify
