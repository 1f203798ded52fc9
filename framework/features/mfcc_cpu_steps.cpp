// The stages of the CPU MFCC pipeline (see mfcc_cpu.h). librosa computes the STFT in float64 and
// rounds it to complex64; we stay in float32 throughout, which keeps us within ~1e-5 relative of it
// and lets FFTW use its single-precision SIMD codelets.
#include <algorithm>
#include <cmath>
#include <limits>

#include <cblas.h>

#include "core/error.h"
#include "features/mfcc_cpu.h"
#include "features/mfcc_math.h"

namespace audify::cpu_mfcc {

void validate(const MfccOptions& o) {
  if (o.sample_rate <= 0) fail("features.sample_rate: must be positive, got {}", o.sample_rate);
  if (o.n_fft <= 0 || o.n_fft > kMaxFftSize)
    fail("features.n_fft: must be in [1, {}], got {}", kMaxFftSize, o.n_fft);
  if (o.hop_length <= 0) fail("features.hop_length: must be >= 1, got {}", o.hop_length);
  if (o.win_length <= 0 || o.win_length > o.n_fft)
    fail("features.win_length: must be in [1, n_fft={}], got {}", o.n_fft, o.win_length);
  if (!(o.power > 0 && o.power <= kMaxPower))
    fail("features.power: must be in (0, {}], got {}", kMaxPower, o.power);
  if (o.n_mels <= 0) fail("features.n_mels: must be positive, got {}", o.n_mels);
  if (o.n_mfcc <= 0 || o.n_mfcc > o.n_mels)
    fail("features.n_mfcc: must be in [1, n_mels={}], got {}", o.n_mels, o.n_mfcc);
  if (!std::isfinite(o.fmax) || o.fmax_hz() > o.sample_rate / 2.0)
    fail("features.fmax: must be <= sample_rate / 2 = {} (or 0 for that), got {}",
         o.sample_rate / 2.0, o.fmax);
  if (!(o.fmin >= 0 && o.fmin < o.fmax_hz()))
    fail("features.fmin: must be in [0, fmax={}), got {}", o.fmax_hz(), o.fmin);
  if (!(o.ref > 0 && std::isfinite(o.ref)))
    fail("features.ref: must be positive and finite, got {}", o.ref);
  if (!(o.amin > 0 && std::isfinite(o.amin)))
    fail("features.amin: must be positive and finite, got {}", o.amin);
  if (!(o.top_db >= 0 && std::isfinite(o.top_db)))
    fail("features.top_db: must be >= 0 (0 keeps the whole range), got {}", o.top_db);
}

std::vector<float> padded_hann_window(int win_length, int n_fft) {
  AUDIFY_ASSERT(win_length > 0 && win_length <= n_fft);
  std::vector<float> window(static_cast<std::size_t>(n_fft), 0.0f);
  const int left = (n_fft - win_length) / 2;  // librosa.util.pad_center
  for (int i = 0; i < win_length; ++i)
    window[static_cast<std::size_t>(left + i)] =
        static_cast<float>(mfcc_math::hann_periodic(i, win_length));
  return window;
}

void pad_signal(std::span<const float> y, int pad, PadMode mode, std::vector<float>& out) {
  const long long n = static_cast<long long>(y.size());
  out.assign(y.size() + 2 * static_cast<std::size_t>(pad), 0.0f);
  std::copy(y.begin(), y.end(), out.begin() + pad);
  if (mode == PadMode::constant || pad == 0) return;
  if (n == 0) fail("features.pad_mode: 'reflect' padding needs at least one sample, got none");
  // numpy's reflect (edge not repeated) is a periodic extension with period 2(n-1).
  const long long period = std::max(2 * (n - 1), 1LL);
  auto source = [&](long long i) {
    long long j = ((i % period) + period) % period;
    return j >= n ? period - j : j;
  };
  for (long long i = 0; i < pad; ++i) {
    out[static_cast<std::size_t>(pad - 1 - i)] = y[static_cast<std::size_t>(source(-1 - i))];
    out[static_cast<std::size_t>(pad + n + i)] = y[static_cast<std::size_t>(source(n + i))];
  }
}

void window_frame(const float* signal, long long start, std::span<const float> window,
                  float* frame) {
  const float* s = signal + start;
  for (std::size_t i = 0; i < window.size(); ++i) frame[i] = s[i] * window[i];
}

void power_spectrum(const float* spectrum, int n_bins, float power, float* out) {
  if (power == 2.0f) {  // the default, kept branch-free so it vectorises
    for (int b = 0; b < n_bins; ++b)
      out[b] = spectrum[2 * b] * spectrum[2 * b] + spectrum[2 * b + 1] * spectrum[2 * b + 1];
    return;
  }
  for (int b = 0; b < n_bins; ++b)
    out[b] = mfcc_math::spectral_power(spectrum[2 * b], spectrum[2 * b + 1], power);
}

void power_to_db_clip(Matrix& mel, const MfccOptions& options) {
  const auto amin = static_cast<float>(options.amin);
  const auto ref = static_cast<float>(options.ref);
  const float ref_db = mfcc_math::db_of_power(ref, amin);
  float max_db = -std::numeric_limits<float>::infinity();
  for (float& v : mel.data) {
    v = mfcc_math::db_of_power(v, amin) - ref_db;
    max_db = std::max(max_db, v);
  }
  if (options.top_db <= 0) return;
  const auto top_db = static_cast<float>(options.top_db);
  for (float& v : mel.data) v = mfcc_math::clamp_top_db(v, max_db, top_db);
}

Matrix apply_dct(const Matrix& log_mel, const Matrix& dct) {
  AUDIFY_ASSERT(log_mel.cols == dct.cols);
  Matrix out(log_mel.rows, dct.rows);
  if (log_mel.rows == 0) return out;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(log_mel.rows),
              static_cast<int>(dct.rows), static_cast<int>(dct.cols), 1.0f, log_mel.data.data(),
              static_cast<int>(log_mel.cols), dct.data.data(), static_cast<int>(dct.cols), 0.0f,
              out.data.data(), static_cast<int>(out.cols));
  return out;
}

}  // namespace audify::cpu_mfcc
