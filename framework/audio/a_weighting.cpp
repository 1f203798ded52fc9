#include "audio/a_weighting.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/real_fft.h"

namespace audify {
namespace {

// IEC 61672-1:2013 Annex E pole frequencies, Hz (the exact values behind the 20.6, 107.7, 737.9
// and 12194 Hz of the standard's text).
constexpr double kF1 = 20.598997;
constexpr double kF2 = 107.65265;
constexpr double kF3 = 737.86223;
constexpr double kF4 = 12194.217;

// The unnormalised analogue A response |R_A(f)|.
double a_response(double f) {
  const double f2 = f * f;
  return kF4 * kF4 * f2 * f2 /
         ((f2 + kF1 * kF1) * std::sqrt((f2 + kF2 * kF2) * (f2 + kF3 * kF3)) * (f2 + kF4 * kF4));
}

// 10 log10 of a mean square, re a full-scale sine (mean square 1/2), floored.
double level_db(double mean_square) {
  const double floor_power = 0.5 * std::pow(10.0, kLevelFloorDb / 10.0);
  return 10.0 * std::log10(2.0 * std::max(mean_square, floor_power));
}

}  // namespace

double level_dbfs(std::span<const float> samples) {
  double sum_squares = 0;
  for (const float x : samples) sum_squares += static_cast<double>(x) * x;
  return level_db(samples.empty() ? 0.0 : sum_squares / static_cast<double>(samples.size()));
}

double a_weighting_gain(double frequency_hz) {
  static const double at_1khz = a_response(1000.0);
  return a_response(std::abs(frequency_hz)) / at_1khz;
}

double a_weighting_db(double frequency_hz) {
  const double gain = a_weighting_gain(frequency_hz);
  return gain > 0 ? 20.0 * std::log10(gain) : -std::numeric_limits<double>::infinity();
}

LevelMeter::LevelMeter(int sample_rate, std::size_t block_samples) : block_samples_(block_samples) {
  if (sample_rate <= 0) fail("level meter: invalid sample rate {}", sample_rate);
  if (block_samples < 2 || block_samples > static_cast<std::size_t>(1) << 30)
    fail("level meter: block of {} samples is out of range", block_samples);
  const std::size_t n = block_samples;
  bin_weights_.resize(n / 2 + 1);
  for (std::size_t k = 0; k < bin_weights_.size(); ++k) {
    const double gain = a_weighting_gain(static_cast<double>(k) * sample_rate / n);
    // A real signal's spectrum is symmetric: every bin but DC and (for even n) Nyquist stands for
    // itself and its mirror image.
    const bool self_mirrored = k == 0 || (n % 2 == 0 && k == n / 2);
    bin_weights_[k] = gain * gain * (self_mirrored ? 1.0 : 2.0);
  }
}

SoundLevel LevelMeter::measure(std::span<const float> samples) const {
  AUDIFY_ASSERT(samples.size() == block_samples_);
  const std::size_t n = block_samples_;
  const RealFft fft(static_cast<int>(n));
  FftBuffer in = fft_buffer(n);
  FftBuffer out = fft_buffer(2 * (n / 2 + 1));
  std::copy(samples.begin(), samples.end(), in.get());
  fft.forward(in.get(), out.get());
  double weighted = 0;  // sum_k w_k |X_k|^2 = n * sum_t (a * x)[t]^2 (Parseval)
  for (std::size_t k = 0; k < bin_weights_.size(); ++k) {
    const double re = out[2 * k], im = out[2 * k + 1];
    weighted += bin_weights_[k] * (re * re + im * im);
  }
  const double count = static_cast<double>(n);
  return {level_dbfs(samples), level_db(weighted / (count * count))};
}

SoundLevel measure_level(std::span<const float> samples, int sample_rate) {
  return LevelMeter(sample_rate, samples.size()).measure(samples);
}

}  // namespace audify
