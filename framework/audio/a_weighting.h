// Sound level of a block of samples: plain dBFS and A-weighted dBFS (IEC 61672-1 A curve), the
// figures a noise monitor reports. Convention (AES17): a full-scale sine (peak 1.0) reads 0 dBFS,
// i.e. level = 10 log10(2 * mean square); a full-scale square wave reads +3.01 dBFS.
//
// The A curve is applied in the frequency domain, on one real FFT of the whole block (Parseval:
// the weighted sum of |X_k|^2 is the weighted mean square), rather than by a bilinear-transformed
// IIR filter: the bilinear transform warps frequencies towards Nyquist (the usual 6th-order design,
// as in MATLAB's weightingFilter or python-acoustics, reads 1.5 dB low at 10 kHz and 8.5 dB low at
// 16 kHz when sampled at 44.1 kHz, 20 dB low at 10 kHz at 22.05 kHz), while the FFT weights follow
// the analytic curve exactly at every bin and every sample rate. A monitor window is a few seconds,
// so one FFT per window costs a few ms.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace audify {

// The IEC 61672-1 (Annex E) A-weighting as a linear amplitude gain, 1.0 at 1 kHz; 0 at 0 Hz.
double a_weighting_gain(double frequency_hz);
// The same in dB (20 log10 of the gain); -infinity at 0 Hz.
double a_weighting_db(double frequency_hz);

// Levels never go below this (silence would otherwise be -infinity, which JSON cannot hold).
inline constexpr double kLevelFloorDb = -150.0;

struct SoundLevel {
  double dbfs = kLevelFloorDb;    // unweighted, re a full-scale sine
  double dbfs_a = kLevelFloorDb;  // A-weighted, re a full-scale sine: "dB(A)FS"
};

// The unweighted level of any block (no FFT): 10 log10(2 mean square), floored; an empty block is
// at the floor.
double level_dbfs(std::span<const float> samples);

// Measures blocks of one fixed length at one sample rate; the A-curve weights per FFT bin are
// computed once. measure() is const and allocates its own FFT buffers, so one meter may be shared.
class LevelMeter {
 public:
  LevelMeter(int sample_rate, std::size_t block_samples);
  std::size_t block_samples() const { return block_samples_; }
  // `samples.size()` must equal block_samples().
  SoundLevel measure(std::span<const float> samples) const;

 private:
  std::size_t block_samples_;
  std::vector<double> bin_weights_;  // (n/2 + 1) power gains |A(f_k)|^2, doubled for one-sided bins
};

// One-off convenience: a meter for this length and rate, measured once.
SoundLevel measure_level(std::span<const float> samples, int sample_rate);

}  // namespace audify
