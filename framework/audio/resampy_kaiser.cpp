// resampy.resample(x, sr_orig, sr_new, filter='kaiser_fast'|'kaiser_best') (resampy 0.4.2,
// interpn.py `_resample_loop`), rearranged for speed without changing what is computed:
// - each output sample's filter position (n, offset, eta, tap counts) is derived with resampy's
//   exact double-precision expressions, so tap sets and weights are bit-identical;
// - the filter is stored polyphase (row = offset, column = tap), so taps are contiguous;
// - products are summed in double and rounded to float once, where resampy rounds its float32
//   output after every tap; the two differ by resampy's own rounding, ~1e-7 on unit signals.
#include <algorithm>

#include <bit>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include "core/simd.h"

#include "audio/resample.h"
#include "audio/resampy_filter.h"
#include "audio/resampy_polyphase.h"
#include "core/error.h"

namespace audify::detail {
namespace {

constexpr size_t kPartialSums = 8;  // independent partial sums in the dot products

// The scaled window and its forward differences, rearranged as rows[offset][tap] for one
// (filter, sample_ratio): tap i of row o is window[o + i * step]; entries past the window are 0.
struct PolyphaseTable {
  int step = 0;               // resampy's index_step = int(scale * num_table)
  size_t row_len = 0;         // taps per row (the longest wing)
  std::vector<double> win;    // (step + 1, row_len)
  std::vector<double> delta;  // (step + 1, row_len)
};

std::shared_ptr<const PolyphaseTable> build_table(const ResampyFilter& f, double sample_ratio) {
  const size_t nwin = f.half_window.size();
  // resampy: interp_win = sample_ratio * interp_win when downsampling, then
  // interp_delta = np.diff(interp_win, append=interp_win[-1]).
  std::vector<double> win = f.half_window;
  if (sample_ratio < 1.0) {
    for (double& w : win) w = sample_ratio * w;
  }
  std::vector<double> delta(nwin, 0.0);
  for (size_t j = 0; j + 1 < nwin; ++j) delta[j] = win[j + 1] - win[j];

  auto table = std::make_shared<PolyphaseTable>();
  const double scale = std::min(1.0, sample_ratio);
  table->step = static_cast<int>(scale * f.num_table);
  AUDIFY_ASSERT(table->step > 0);
  const auto step = static_cast<size_t>(table->step);
  // Rows padded with zero taps to a multiple of the accumulator count: every output then runs the
  // same fixed-length loop, and a zero weight adds exactly nothing.
  table->row_len = (nwin / step + kPartialSums - 1) / kPartialSums * kPartialSums;
  table->win.assign((step + 1) * table->row_len, 0.0);
  table->delta.assign((step + 1) * table->row_len, 0.0);
  for (size_t o = 0; o <= step; ++o) {
    // resampy uses (nwin - offset) // index_step taps, which drops the last one that fits.
    for (size_t i = 0; i < (nwin - o) / step; ++i) {
      table->win[o * table->row_len + i] = win[o + i * step];
      table->delta[o * table->row_len + i] = delta[o + i * step];
    }
  }
  return table;
}

// Tables are rebuilt only for a new (filter, rate ratio): a corpus has a handful of source rates.
std::shared_ptr<const PolyphaseTable> cached_table(const ResampyFilter& f, double sample_ratio) {
  struct Entry {
    const ResampyFilter* filter;
    uint64_t ratio_bits;
    std::shared_ptr<const PolyphaseTable> table;
  };
  static std::mutex mutex;
  static std::vector<Entry> cache;
  const auto bits = std::bit_cast<uint64_t>(sample_ratio);
  std::lock_guard lock(mutex);
  for (const Entry& e : cache) {
    if (e.filter == &f && e.ratio_bits == bits) return e.table;
  }
  if (cache.size() >= 8) cache.erase(cache.begin());
  cache.push_back({&f, bits, build_table(f, sample_ratio)});
  return cache.back().table;
}

// One wing's taps, sum_i (w[i] + eta * d[i]) * x[i], added into per-lane partial sums the
// compiler keeps in vector registers; count is a multiple of kPartialSums (rows are zero-padded).
// eta == 0 (integer-ratio rates) skips the interpolation term, which would add exactly 0.
inline void add_wing(double* acc, const double* w, const double* d, double eta, const float* x,
                     size_t count) {
  if (eta == 0.0) {
    for (size_t i = 0; i < count; i += kPartialSums) {
      for (size_t j = 0; j < kPartialSums; ++j) acc[j] += w[i + j] * static_cast<double>(x[i + j]);
    }
  } else {
    for (size_t i = 0; i < count; i += kPartialSums) {
      for (size_t j = 0; j < kPartialSums; ++j) {
        acc[j] += (w[i + j] + eta * d[i + j]) * static_cast<double>(x[i + j]);
      }
    }
  }
}

// Where one output sample's two wings start: rows of the table, their eta, and the input.
struct Taps {
  const double* w;
  const double* d;
  double eta;
  const float* x;
};

// Both wings of one output sample, with a single horizontal sum at the end. The dot products are
// the whole cost: AVX(+FMA) and AVX-512 copies, picked at load time, run them faster than the
// baseline x86-64 (SSE2) build; FMA only changes double rounding (~1e-16).
AUDIFY_TARGET_CLONES double output_sample(const Taps& left, const Taps& right, size_t count) {
  double acc[kPartialSums] = {};
  add_wing(acc, left.w, left.d, left.eta, left.x, count);
  add_wing(acc, right.w, right.d, right.eta, right.x, count);
  for (size_t width = kPartialSums / 2; width > 0; width /= 2) {
    for (size_t j = 0; j < width; ++j) acc[j] += acc[j + width];
  }
  return acc[0];
}

// resampy steps through its table int(scale * num_table) entries per input sample; a ratio that
// makes that 0 (downsampling by more than num_table, e.g. 512x for kaiser_fast) has no filter.
void check_downsampling(const ResampyFilter& f, int sr_in, int sr_out, Resampler filter) {
  if (static_cast<long long>(sr_out) * f.num_table < sr_in)
    fail("resample: {} -> {} Hz downsamples by more than {}x, beyond the {} filter", sr_in, sr_out,
         f.num_table, resampler_name(filter));
}

}  // namespace

std::vector<float> resampy_resample_generic(std::span<const float> x, int sr_in, int sr_out,
                                            Resampler filter) {
  if (sr_in <= 0 || sr_out <= 0) {
    fail("resampy_resample: sample rates must be positive, got {} -> {} Hz", sr_in, sr_out);
  }
  if (sr_in == sr_out) return {x.begin(), x.end()};
  const ResampyFilter& f = resampy_filter(filter);
  check_downsampling(f, sr_in, sr_out, filter);
  const double sample_ratio = static_cast<double>(sr_out) / sr_in;
  // resampy: int(shape * float(sr_new) / float(sr_orig)), in that order (its issue #111).
  const auto n_out = static_cast<size_t>(static_cast<double>(x.size()) *
                                         static_cast<double>(sr_out) / static_cast<double>(sr_in));
  if (n_out < 1) {
    fail("resample: input of {} samples is too short to resample from {} to {} Hz", x.size(), sr_in,
         sr_out);
  }
  const auto table = cached_table(f, sample_ratio);
  const double scale = std::min(1.0, sample_ratio);
  const double time_increment = 1.0 / sample_ratio;
  const auto num_table = static_cast<double>(f.num_table);
  const auto n_orig = static_cast<long>(x.size());

  // Both wings read the input forwards, the left one from a reversed copy; each copy ends in a
  // row of zeros, so taps past either end of the signal (which resampy skips) contribute 0.
  const size_t len = table->row_len;
  // Per-thread scratch: reusing it spares two fresh page-faulting allocations per clip.
  thread_local std::vector<float> fwd;
  thread_local std::vector<float> rev;
  fwd.assign(x.size() + len, 0.0f);
  rev.assign(x.size() + len, 0.0f);
  std::copy(x.begin(), x.end(), fwd.begin());
  std::copy(x.rbegin(), x.rend(), rev.begin());

  std::vector<float> y(n_out);
  for (size_t t = 0; t < n_out; ++t) {
    // resampy's expressions, in its order, so offsets and eta are bit-identical.
    const double time_register = static_cast<double>(t) * time_increment;
    const auto n = static_cast<long>(time_register);
    double frac = scale * (time_register - static_cast<double>(n));
    double index_frac = frac * num_table;
    auto offset = static_cast<size_t>(index_frac);
    // Left wing: x[n], x[n-1], ... == rev[n_orig - 1 - n + i].
    const Taps left{&table->win[offset * len], &table->delta[offset * len],
                    index_frac - static_cast<double>(offset),
                    &rev[static_cast<size_t>(n_orig - 1 - n)]};
    // Right wing: x[n+1], x[n+2], ... with the complementary phase.
    frac = scale - frac;
    index_frac = frac * num_table;
    offset = static_cast<size_t>(index_frac);
    const Taps right{&table->win[offset * len], &table->delta[offset * len],
                     index_frac - static_cast<double>(offset), &fwd[static_cast<size_t>(n + 1)]};
    y[t] = static_cast<float>(output_sample(left, right, len));
  }
  return y;
}

std::vector<float> resampy_resample(std::span<const float> x, int sr_in, int sr_out,
                                    Resampler filter) {
  // Rational rates with few phases take the tabulated path; it checks what it tabulates against
  // resampy's own positions, so both paths give the same samples (to double rounding).
  if (sr_in > 0 && sr_out > 0 && sr_in != sr_out) {
    check_downsampling(resampy_filter(filter), sr_in, sr_out, filter);
    const auto n_out = static_cast<size_t>(
        static_cast<double>(x.size()) * static_cast<double>(sr_out) / static_cast<double>(sr_in));
    std::vector<float> y(n_out);
    if (n_out > 0 && resampy_polyphase(x, sr_in, sr_out, resampy_filter(filter), y)) return y;
  }
  return resampy_resample_generic(x, sr_in, sr_out, filter);
}

}  // namespace audify::detail
