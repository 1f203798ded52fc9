// librosa.filters.mel, computed the way librosa 0.10.2 does it so the float32 weights agree bit for
// bit in practice: ramps in float64, clipped triangle rounded to float32 (librosa stores `weights`
// as float32), then multiplied by the float64 Slaney norm and rounded again.
#include "features/mel_filterbank.h"

#include <algorithm>

#include "core/error.h"
#include "features/mfcc_math.h"

namespace audify {

std::vector<double> fft_frequencies(int sample_rate, int n_fft) {
  // np.fft.rfftfreq(n, d=1/sr): k * (1 / (n * d)).
  const double val = 1.0 / (n_fft * (1.0 / sample_rate));
  std::vector<double> freqs(static_cast<std::size_t>(n_fft / 2 + 1));
  for (std::size_t k = 0; k < freqs.size(); ++k) freqs[k] = static_cast<double>(k) * val;
  return freqs;
}

std::vector<double> mel_frequencies(int n, double fmin, double fmax) {
  AUDIFY_ASSERT(n >= 2);
  const double min_mel = mfcc_math::hz_to_mel_slaney(fmin);
  const double max_mel = mfcc_math::hz_to_mel_slaney(fmax);
  // np.linspace(min_mel, max_mel, n): i * step + start, the last point set to stop exactly.
  const double step = (max_mel - min_mel) / (n - 1);
  std::vector<double> hz(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const double mel = i == n - 1 ? max_mel : i * step + min_mel;
    hz[static_cast<std::size_t>(i)] = mfcc_math::mel_to_hz_slaney(mel);
  }
  return hz;
}

MelFilterbank make_mel_filterbank(int sample_rate, int n_fft, int n_mels, double fmin,
                                  double fmax) {
  if (sample_rate <= 0) fail("features.sample_rate: must be positive, got {}", sample_rate);
  if (n_fft <= 0) fail("features.n_fft: must be positive, got {}", n_fft);
  if (n_mels <= 0) fail("features.n_mels: must be positive, got {}", n_mels);
  if (fmin < 0 || fmin >= fmax) fail("features.fmin: must be in [0, fmax={}), got {}", fmax, fmin);

  const std::vector<double> fftfreqs = fft_frequencies(sample_rate, n_fft);
  const std::vector<double> mel_f = mel_frequencies(n_mels + 2, fmin, fmax);
  MelFilterbank bank;
  bank.n_mels = n_mels;
  bank.n_bins = static_cast<int>(fftfreqs.size());
  bank.offset.push_back(0);
  std::vector<float> row(fftfreqs.size());
  for (int m = 0; m < n_mels; ++m) {
    const double lo = mel_f[m], mid = mel_f[m + 1], hi = mel_f[m + 2];
    const double enorm = 2.0 / (hi - lo);
    int first = -1, last = -1;
    for (std::size_t b = 0; b < fftfreqs.size(); ++b) {
      const double lower = -(lo - fftfreqs[b]) / (mid - lo);
      const double upper = (hi - fftfreqs[b]) / (hi - mid);
      const float tri = static_cast<float>(std::max(0.0, std::min(lower, upper)));
      row[b] = static_cast<float>(static_cast<double>(tri) * enorm);
      if (row[b] != 0.0f) {
        if (first < 0) first = static_cast<int>(b);
        last = static_cast<int>(b);
      }
    }
    // librosa only warns about an empty band; its constant -top_db row then carries no
    // information and, with many of them, the MFCCs degrade silently, so it is an error here.
    if (first < 0)
      fail(
          "features.n_mels: mel band {} of {} holds no FFT bin: with n_fft={} the bins are {:.1f} "
          "Hz "
          "apart, too coarse for {} bands between fmin={} and fmax={} Hz; lower n_mels or raise "
          "n_fft",
          m, n_mels, n_fft, static_cast<double>(sample_rate) / n_fft, n_mels, fmin, fmax);
    bank.first_bin.push_back(first);
    bank.weights.insert(bank.weights.end(), row.begin() + first, row.begin() + last + 1);
    bank.offset.push_back(static_cast<int>(bank.weights.size()));
  }
  return bank;
}

void MelFilterbank::apply(const float* power, float* mel) const {
  for (int m = 0; m < n_mels; ++m) {
    const float* w = weights.data() + offset[m];
    const float* p = power + first_bin[m];
    const int count = offset[m + 1] - offset[m];
    // Four independent partial sums: a single float chain is latency-bound (and IEEE order forbids
    // the compiler from splitting it); this runs ~3x faster.
    float sum[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int i = 0;
    for (; i + 4 <= count; i += 4)
      for (int j = 0; j < 4; ++j) sum[j] += w[i + j] * p[i + j];
    for (; i < count; ++i) sum[0] += w[i] * p[i];
    mel[m] = (sum[0] + sum[1]) + (sum[2] + sum[3]);
  }
}

Matrix MelFilterbank::dense() const {
  Matrix out(static_cast<std::size_t>(n_mels), static_cast<std::size_t>(n_bins));
  for (int m = 0; m < n_mels; ++m)
    for (int i = offset[m]; i < offset[m + 1]; ++i)
      out(static_cast<std::size_t>(m), static_cast<std::size_t>(first_bin[m] + i - offset[m])) =
          weights[static_cast<std::size_t>(i)];
  return out;
}

}  // namespace audify
