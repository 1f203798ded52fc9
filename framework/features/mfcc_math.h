// Per-element math of the MFCC pipeline, shared by the CPU backend and the CUDA kernels (and unit
// tested on machines without a GPU). Each function mirrors one librosa 0.10.2 expression; the
// comments name it so a reader can check the two side by side.
#pragma once

#include <cmath>

#ifdef __CUDACC__
#define AUDIFY_HD __host__ __device__
#else
#define AUDIFY_HD
#endif

namespace audify::mfcc_math {

inline constexpr double kPi = 3.14159265358979323846;

// scipy.signal.get_window('hann', n, fftbins=True)[i]: the periodic Hann window (DFT-even).
AUDIFY_HD inline double hann_periodic(int i, int n) {
  return 0.5 - 0.5 * std::cos(2.0 * kPi * static_cast<double>(i) / static_cast<double>(n));
}

// librosa.hz_to_mel(f, htk=False): linear below 1 kHz (200/3 Hz per mel), logarithmic above.
AUDIFY_HD inline double hz_to_mel_slaney(double hz) {
  const double f_sp = 200.0 / 3;
  const double min_log_hz = 1000.0;
  const double min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  if (hz >= min_log_hz) return min_log_mel + std::log(hz / min_log_hz) / logstep;
  return hz / f_sp;
}

// librosa.mel_to_hz(m, htk=False), the inverse of hz_to_mel_slaney.
AUDIFY_HD inline double mel_to_hz_slaney(double mel) {
  const double f_sp = 200.0 / 3;
  const double min_log_hz = 1000.0;
  const double min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  if (mel >= min_log_mel) return min_log_hz * std::exp(logstep * (mel - min_log_mel));
  return f_sp * mel;
}

// np.abs(X) ** power for one complex64 bin; power 2 skips the square root (librosa's default).
AUDIFY_HD inline float spectral_power(float re, float im, float power) {
  const float energy = re * re + im * im;
  if (power == 2.0f) return energy;
  const float magnitude = std::sqrt(energy);
  return power == 1.0f ? magnitude : std::pow(magnitude, power);
}

// 10*log10(max(amin, x)) in float32, as librosa.power_to_db computes it.
AUDIFY_HD inline float db_of_power(float x, float amin) {
  return 10.0f * std::log10(x > amin ? x : amin);
}

// librosa.power_to_db before the top_db clamp: 10*log10(max(amin, x)) - 10*log10(max(amin, ref)).
// Callers converting many values hoist the second term (it is the same for every element).
AUDIFY_HD inline float power_to_db(float x, float amin, float ref) {
  return db_of_power(x, amin) - db_of_power(ref, amin);
}

// librosa's top_db clamp: max(db, max_db - top_db), max_db taken over the whole clip.
AUDIFY_HD inline float clamp_top_db(float db, float max_db, float top_db) {
  const float floor_db = max_db - top_db;
  return db > floor_db ? db : floor_db;
}

// scipy.fft.dct(x, type=2, norm='ortho') as a matrix: y[k] = sum_n coefficient(k, n, N) * x[n].
AUDIFY_HD inline double dct_ortho_coefficient(int k, int n, int n_input) {
  const double len = static_cast<double>(n_input);
  if (k == 0) return std::sqrt(1.0 / len);
  return std::sqrt(2.0 / len) * std::cos(kPi * k * (2.0 * n + 1.0) / (2.0 * len));
}

}  // namespace audify::mfcc_math
