// Small signal-building blocks for the synthetic recipes: filters, a harmonic stack and envelopes.
// Header-only and allocation-free so the recipes' inner loops stay cheap.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

namespace audify::synth {

inline constexpr double kTwoPi = 6.283185307179586;

// One-pole low-pass; the high-pass is the input minus the low-pass.
struct OnePole {
  float a = 1, z = 0;
  OnePole() = default;
  OnePole(double cutoff, double sr) { set(cutoff, sr); }
  void set(double cutoff, double sr) {
    a = static_cast<float>(1.0 - std::exp(-kTwoPi * std::min(cutoff, 0.49 * sr) / sr));
  }
  float lowpass(float x) { return z += a * (x - z); }
  float highpass(float x) { return x - lowpass(x); }
};

// RBJ band-pass (0 dB peak): a vocal-tract formant or a resonance.
struct Biquad {
  float b0 = 0, b2 = 0, a1 = 0, a2 = 0, x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  void bandpass(double freq, double q, double sr) {
    const double w = kTwoPi * std::min(freq, 0.45 * sr) / sr;
    const double alpha = std::sin(w) / (2.0 * q);
    const double a0 = 1.0 + alpha;
    b0 = static_cast<float>(alpha / a0);
    b2 = -b0;
    a1 = static_cast<float>(-2.0 * std::cos(w) / a0);
    a2 = static_cast<float>((1.0 - alpha) / a0);
  }
  float process(float x) {
    const float y = b0 * x + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    return y;
  }
};

// Advances an oscillator phase, kept in [0, 2 pi) so sin/cos stay on their fast path.
inline void advance(double& phase, double increment) {
  phase += increment;
  if (phase >= kTwoPi) phase -= kTwoPi * std::floor(phase / kTwoPi);
}

// Partials that stay below Nyquist (with margin) for a fundamental that may reach `f0_max`.
inline int harmonics_below_nyquist(double f0_max, double sr, int wanted) {
  return std::clamp(static_cast<int>(0.45 * sr / std::max(f0_max, 1.0)), 1, wanted);
}

// sum_k amps[k] * sin((k+1) * phase) by the Chebyshev recurrence: one sin and one cos per sample
// instead of one sin per partial.
inline float harmonic_stack(double phase, std::span<const float> amps) {
  const float s1 = static_cast<float>(std::sin(phase));
  const float c2 = 2.0f * static_cast<float>(std::cos(phase));
  float prev = 0, cur = s1, sum = 0;
  for (float a : amps) {
    sum += a * cur;
    const float next = c2 * cur - prev;
    prev = cur;
    cur = next;
  }
  return sum;
}

// Attack-release gate: 0 before `start`, ramps up over `attack`, holds, ramps down over
// `release` at `start + length` (all in seconds).
inline float gate(double t, double start, double length, double attack, double release) {
  if (t < start || t > start + length + release) return 0.0f;
  if (t < start + attack) return static_cast<float>((t - start) / attack);
  if (t > start + length) return static_cast<float>(1.0 - (t - start - length) / release);
  return 1.0f;
}

// Fills amps[k] = 1 / (k+1)^tilt, the spectral slope of most natural harmonic sources.
inline void slope_amps(std::span<float> amps, double tilt) {
  for (std::size_t k = 0; k < amps.size(); ++k)
    amps[k] = static_cast<float>(std::pow(static_cast<double>(k + 1), -tilt));
}

}  // namespace audify::synth
