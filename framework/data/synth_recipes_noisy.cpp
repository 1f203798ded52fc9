// Noisy, impulsive and vocal recipes: air conditioner, children playing, dog bark, gun shot and
// jackhammer. Each draws its recording-level character first (fixed order), then per-slice
// variation.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "data/synth_dsp.h"
#include "data/synth_recipes_impl.h"

namespace audify::synth {

void air_conditioner(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  const double mains = character.chance(0.5) ? 50.0 : 60.0;
  std::array<float, 8> hum{};
  for (std::size_t k = 0; k < hum.size(); ++k)
    hum[k] = static_cast<float>(character.uniform(0, 1) / static_cast<double>(k + 1));
  const double hum_level = character.uniform(0.05, 0.5);
  const double cutoff = character.uniform(250, 1500);
  const double fan = character.uniform(80, 400);  // blade-pass tone
  const double fan_level = character.uniform(0.0, 0.3);
  const double am_rate = character.uniform(0.1, 1.0);
  const double am_depth = character.uniform(0.0, 0.2);

  const double lp = cutoff * jitter(variation, 0.05);
  const double am_phase = variation.uniform(0, kTwoPi);
  std::vector<float> noise(out.size()), tones(out.size());
  OnePole lp1(lp, sr), lp2(lp * 2, sr);
  const std::span<const float> amps(
      hum.data(), static_cast<std::size_t>(harmonics_below_nyquist(mains, sr, 8)));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / sr;
    const auto am = static_cast<float>(1 + am_depth * std::sin(kTwoPi * am_rate * t + am_phase));
    noise[i] = am * lp2.lowpass(lp1.lowpass(variation.noise()));
    tones[i] = harmonic_stack(kTwoPi * mains * t, amps) +
               static_cast<float>(fan_level * std::sin(kTwoPi * fan * t));
  }
  mix_rms(out, noise, 1.0);
  mix_rms(out, tones, hum_level);
}

namespace {

// Adult vowel formants (F1, F2) in Hz: a, e, i, o, u; children's are scaled up.
constexpr std::array<std::array<double, 2>, 5> kVowels = {
    {{730, 1090}, {530, 1840}, {270, 2290}, {570, 840}, {300, 870}}};

}  // namespace

void children_playing(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  const int voices = character.integer(2, 6);
  struct Voice {
    double f0, formant_scale, level;
  };
  std::vector<Voice> cast(static_cast<std::size_t>(voices));
  for (auto& v : cast)
    v = {character.uniform(230, 420), character.uniform(1.1, 1.35), character.uniform(0.3, 1.0)};

  const double dur = static_cast<double>(out.size()) / sr;
  std::vector<float> amps(static_cast<std::size_t>(harmonics_below_nyquist(420 * 1.6, sr, 20)));
  slope_amps(amps, 1.2);
  for (const Voice& v : cast) {
    Biquad f1, f2;
    double phase = 0;
    for (double t = variation.uniform(0, 0.5); t < dur;) {
      const double length = variation.uniform(0.08, 0.35);
      const auto& vowel = kVowels[static_cast<std::size_t>(variation.integer(0, 4))];
      f1.bandpass(vowel[0] * v.formant_scale, 5, sr);
      f2.bandpass(vowel[1] * v.formant_scale, 8, sr);
      const bool shout = variation.chance(0.1);
      const double pitch_a = v.f0 * variation.uniform(0.85, shout ? 1.6 : 1.25);
      const double pitch_b = pitch_a * variation.uniform(0.8, 1.2);
      const auto begin = static_cast<std::size_t>(t * sr);
      const auto end = std::min(out.size(), static_cast<std::size_t>((t + length + 0.05) * sr));
      for (std::size_t i = begin; i < end; ++i) {
        const double d = static_cast<double>(i) / sr - t;
        advance(phase, kTwoPi * (pitch_a + (pitch_b - pitch_a) * d / length) / sr);
        const float src = harmonic_stack(phase, amps) + 0.05f * variation.noise();
        const float env = gate(d, 0, length, 0.02, 0.05) * static_cast<float>(v.level);
        out[i] += env * (f1.process(src) + 0.6f * f2.process(src));
      }
      t += length +
           (variation.chance(0.1) ? variation.uniform(0.5, 1.5) : variation.uniform(0.03, 0.5));
    }
  }
}

void dog_bark(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  const double f0 = character.uniform(180, 600);  // bigger dogs bark lower
  const double formant1 = character.uniform(500, 1100);
  const double formant2 = character.uniform(1300, 2600);
  const double breath = character.uniform(0.1, 0.5);
  const double bark_length = character.uniform(0.08, 0.25);
  const double glide = character.uniform(1.1, 1.5);
  const double tilt = character.uniform(0.6, 1.2);

  const double dur = static_cast<double>(out.size()) / sr;
  std::vector<float> amps(static_cast<std::size_t>(harmonics_below_nyquist(f0 * 1.6, sr, 16)));
  slope_amps(amps, tilt);
  const int barks = variation.integer(1, 4);
  double t = variation.uniform(0.02, std::min(0.8, dur * 0.5));
  for (int b = 0; b < barks && t < dur; ++b) {
    const double length = bark_length * jitter(variation, 0.15);
    const double f = f0 * jitter(variation, 0.05);
    const auto gain = static_cast<float>(jitter(variation, 0.2));
    Biquad b1, b2;
    b1.bandpass(formant1, 4, sr);
    b2.bandpass(formant2, 6, sr);
    double phase = 0;
    const auto begin = static_cast<std::size_t>(t * sr);
    const auto end = std::min(out.size(), static_cast<std::size_t>((t + length + 0.06) * sr));
    for (std::size_t i = begin; i < end; ++i) {
      const double p = (static_cast<double>(i) / sr - t) / length;  // 0..1 over the bark
      // Pitch jumps up at onset, then sags: the "woof" contour.
      const double fi =
          f * (1 + (glide - 1) * std::sin(3.14159 * std::min(p, 1.0))) * (1 - 0.25 * p);
      advance(phase, kTwoPi * fi / sr);
      const float src =
          harmonic_stack(phase, amps) + static_cast<float>(breath * 3) * variation.noise();
      const float env = static_cast<float>(std::min(1.0, p * length / 0.008) *
                                           std::exp(-3 * std::max(0.0, p - 0.2))) *
                        gate(p, 0, 1, 1e-9, 0.06 / length);
      out[i] += gain * env * (b1.process(src) + 0.7f * b2.process(src));
    }
    t += length + variation.uniform(0.12, 0.9);
  }
}

void gun_shot(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  const double tau = character.uniform(0.015, 0.08);
  const double cutoff = character.uniform(1500, 6000);
  const double thump_f = character.uniform(50, 130);
  const double thump_amp = character.uniform(0.3, 1.0);
  const double echo_delay = character.uniform(0.08, 0.35);
  const double echo_gain = character.uniform(0.15, 0.5);
  const double tail_tau = character.uniform(0.15, 0.6);
  const double tail_level = character.uniform(0.02, 0.15);

  const double dur = static_cast<double>(out.size()) / sr;
  const int shots = variation.chance(0.6) ? 1 : variation.integer(2, 4);
  const double spacing = variation.uniform(0.08, 0.6);
  const double first = variation.uniform(0.0, std::min(0.5 * dur, 1.5));
  std::vector<float> dry(out.size());
  for (int s = 0; s < shots; ++s) {
    const double t0 = first + s * spacing * jitter(variation, 0.1);
    const auto gain = static_cast<float>(jitter(variation, 0.15));
    OnePole lp(cutoff, sr);
    const auto begin = static_cast<std::size_t>(t0 * sr);
    const auto end = std::min(out.size(), begin + static_cast<std::size_t>(6 * tail_tau * sr));
    for (std::size_t i = begin; i < end; ++i) {
      const double d = static_cast<double>(i - begin) / sr;
      const double crack = std::exp(-d / tau) * std::min(1.0, d / 0.0005);
      const double thump = thump_amp * std::exp(-d / (2 * tau)) * std::sin(kTwoPi * thump_f * d);
      const double tail = tail_level * std::exp(-d / tail_tau);
      dry[i] += gain * (lp.lowpass(static_cast<float>(crack) * variation.noise() * 2) +
                        static_cast<float>(thump + tail * variation.noise()));
    }
  }
  // One echo off a nearby wall, duller than the direct sound.
  const auto delay = static_cast<std::size_t>(echo_delay * sr);
  OnePole wall(cutoff / 3, sr);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float echo = i >= delay ? wall.lowpass(dry[i - delay]) : 0.0f;
    out[i] = dry[i] + static_cast<float>(echo_gain) * echo;
  }
}

void jackhammer(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  const double rate = character.uniform(10, 25);
  const double click_tau = character.uniform(0.002, 0.008);
  const double click_f = character.uniform(800, 3500);
  const double ring_f = character.uniform(150, 700);
  const double ring_tau = character.uniform(0.01, 0.04);
  const double ring_amp = character.uniform(0.2, 0.8);
  const double hiss = character.uniform(0.02, 0.15);  // compressor exhaust

  const double r = rate * jitter(variation, 0.03);
  const double dur = static_cast<double>(out.size()) / sr;
  const bool continuous = variation.chance(0.6);
  std::vector<float> clicks(out.size()), ring(out.size()), air(out.size());
  const auto impulse_len = static_cast<std::size_t>(6 * std::max(click_tau, ring_tau) * sr);
  double on_until = continuous ? dur : variation.uniform(0.8, 3.0);
  for (double t = variation.uniform(0, 1 / r); t < dur;) {
    if (t > on_until) {  // operator pauses, then leans in again
      t += variation.uniform(0.2, 1.0);
      on_until = t + variation.uniform(0.8, 3.0);
      continue;
    }
    const double amp = jitter(variation, 0.2);
    const auto begin = static_cast<std::size_t>(t * sr);
    const auto end = std::min(out.size(), begin + impulse_len);
    for (std::size_t i = begin; i < end; ++i) {
      const double d = static_cast<double>(i - begin) / sr;
      clicks[i] += static_cast<float>(amp * std::exp(-d / click_tau)) * variation.noise();
      ring[i] += static_cast<float>(amp * ring_amp * std::exp(-d / ring_tau) *
                                    std::sin(kTwoPi * ring_f * d));
    }
    t += jitter(variation, 0.03) / r;
  }
  Biquad band;
  band.bandpass(click_f, 1.5, sr);
  OnePole air_lp(3000, sr);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = 3 * band.process(clicks[i]) + ring[i];
    air[i] = air_lp.lowpass(variation.noise());
  }
  double energy = 0;
  for (float x : out) energy += static_cast<double>(x) * x;
  mix_rms(out, air,
          hiss * std::sqrt(energy / static_cast<double>(std::max<std::size_t>(1, out.size()))));
}

}  // namespace audify::synth
