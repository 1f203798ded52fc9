// Tonal recipes: car horn, drilling, engine idling, siren and street music. Each draws its
// recording-level character first (fixed order), then per-slice variation.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "data/synth_dsp.h"
#include "data/synth_recipes_impl.h"

namespace audify::synth {

void car_horn(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  const double f0 = character.uniform(330, 500);
  const bool two_tone = character.chance(0.5);  // many cars pair two horns a third apart
  const double ratio = character.uniform(1.18, 1.3);
  const double tilt = character.uniform(0.5, 1.2);

  const double f = f0 * jitter(variation, 0.01);
  const double dur = static_cast<double>(out.size()) / sr;
  const int honks = variation.integer(1, 2);
  std::array<double, 2> start{}, length{};
  for (int h = 0; h < honks; ++h) {
    length[h] = std::min(dur * 0.9, variation.uniform(0.25, honks == 1 ? 3.0 : 1.4));
    start[h] = variation.uniform(0.0, std::max(0.01, dur - length[h] - 0.05));
  }
  std::vector<float> amps(static_cast<std::size_t>(harmonics_below_nyquist(f * ratio, sr, 16)));
  slope_amps(amps, tilt);
  double p1 = 0, p2 = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / sr;
    float env = 0;
    for (int h = 0; h < honks; ++h) env = std::max(env, gate(t, start[h], length[h], 0.015, 0.04));
    advance(p1, kTwoPi * f / sr);
    advance(p2, kTwoPi * f * ratio / sr);
    if (env == 0) continue;
    float x = harmonic_stack(p1, amps);
    if (two_tone) x += 0.8f * harmonic_stack(p2, amps);
    out[i] = env * x;
  }
}

void drilling(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  const double whine = character.uniform(1000, 3000);
  std::array<float, 4> partials = {1.0f, static_cast<float>(character.uniform(0.2, 0.6)),
                                   static_cast<float>(character.uniform(0.05, 0.3)),
                                   static_cast<float>(character.uniform(0.0, 0.15))};
  const double rumble_div = character.integer(8, 20);
  const double noise_level = character.uniform(0.15, 0.6);
  const double wobble_rate = character.uniform(3, 12);
  const double wobble_depth = character.uniform(0.003, 0.015);

  const double f = whine * jitter(variation, 0.02);
  const double dur = static_cast<double>(out.size()) / sr;
  // Mostly one continuous run; sometimes the trigger is released and pressed again.
  const bool continuous = variation.chance(0.7);
  const double on_start = continuous ? 0.0 : variation.uniform(0.0, dur * 0.3);
  const double on_length = continuous ? dur : variation.uniform(0.4, dur - on_start);
  const double spin_up = continuous ? 0.0 : variation.uniform(0.15, 0.5);
  const double wobble_phase = variation.uniform(0, kTwoPi);

  const std::span<const float> amps(partials.data(),
                                    static_cast<std::size_t>(harmonics_below_nyquist(f, sr, 4)));
  std::vector<float> tone(out.size()), noise(out.size());
  Biquad band;
  band.bandpass(f, 2.0, sr);
  double phase = 0, rumble_phase = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / sr;
    const float env = gate(t, on_start, on_length, 0.02, 0.1);
    const double ramp = spin_up > 0 ? std::min(1.0, 0.6 + 0.4 * (t - on_start) / spin_up) : 1.0;
    const double fi =
        f * ramp * (1 + wobble_depth * std::sin(kTwoPi * wobble_rate * t + wobble_phase));
    advance(phase, kTwoPi * fi / sr);
    advance(rumble_phase, kTwoPi * fi / rumble_div / sr);
    tone[i] =
        env * (harmonic_stack(phase, amps) + 0.3f * static_cast<float>(std::sin(rumble_phase)));
    noise[i] = env * band.process(variation.noise());
  }
  mix_rms(out, tone, 1.0);
  mix_rms(out, noise, noise_level);
}

void engine_idling(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  const double f0 = character.uniform(20, 60);  // firing rate
  const double tilt = character.uniform(0.7, 1.4);
  const double cycle_jitter = character.uniform(0.005, 0.03);
  const double firing_spread = character.uniform(0.15, 0.5);
  const double noise_cutoff = character.uniform(150, 600);
  const double noise_level = character.uniform(0.1, 0.4);
  const double drift_rate = character.uniform(0.1, 0.5);

  const double f = f0 * jitter(variation, 0.03);
  const double drift_phase = variation.uniform(0, kTwoPi);
  std::vector<float> amps(static_cast<std::size_t>(harmonics_below_nyquist(f * 1.1, sr, 40)));
  slope_amps(amps, tilt);
  std::vector<float> tone(out.size()), noise(out.size());
  OnePole smooth(2 * f, sr), lp1(noise_cutoff, sr), lp2(noise_cutoff, sr);
  double phase = 0, cycle_amp = 1, cycle_f = f;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / sr;
    phase += kTwoPi * cycle_f * (1 + 0.02 * std::sin(kTwoPi * drift_rate * t + drift_phase)) / sr;
    if (phase >= kTwoPi) {  // a new firing: uneven cylinders give the idle its lumpy rhythm
      phase -= kTwoPi;
      cycle_amp = std::max(0.1, 1 + firing_spread * variation.normal());
      cycle_f = f * (1 + cycle_jitter * variation.normal());
    }
    tone[i] = smooth.lowpass(static_cast<float>(cycle_amp)) * harmonic_stack(phase, amps);
    noise[i] = lp2.lowpass(lp1.lowpass(variation.noise()));
  }
  mix_rms(out, tone, 1.0);
  mix_rms(out, noise, noise_level);
}

void siren(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  int mode = character.integer(0, 2);  // 0 wail, 1 yelp, 2 hi-lo
  const std::array<double, 3> rate = {character.uniform(0.08, 0.3), character.uniform(2, 5),
                                      character.uniform(0.5, 1.2)};
  const double f_lo = character.uniform(550, 850);
  const double f_hi = character.uniform(1150, 1600);
  const double tilt = character.uniform(1.0, 2.0);

  if (variation.chance(0.15)) mode = variation.integer(0, 2);  // drivers switch patterns
  const double sweep_phase = variation.uniform(0, 1);
  const double dur = static_cast<double>(out.size()) / sr;
  // A passing vehicle: Doppler shift from +d to -d and a swell around the closest point.
  const double doppler = variation.uniform(0, 0.03);
  const double closest = variation.uniform(-0.5, 1.5) * dur;
  const double pass_time = variation.uniform(0.5, 3.0);

  std::vector<float> amps(static_cast<std::size_t>(harmonics_below_nyquist(f_hi * 1.03, sr, 6)));
  slope_amps(amps, tilt);
  const double r = rate[static_cast<std::size_t>(mode)];
  double phase = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / sr;
    const double cycle = r * t + sweep_phase;
    const double frac = cycle - std::floor(cycle);
    double s = 0;
    if (mode == 0)
      s = 0.5 - 0.5 * std::cos(kTwoPi * cycle);
    else if (mode == 1)
      s = std::pow(frac, 0.7);
    else
      s = frac < 0.5 ? 0.0 : 1.0;
    const double x = (t - closest) / pass_time;
    const double fi = (f_lo + (f_hi - f_lo) * s) * (1 - doppler * std::tanh(x));
    advance(phase, kTwoPi * fi / sr);
    out[i] = static_cast<float>(1.0 / std::sqrt(1.0 + 0.5 * x * x)) * harmonic_stack(phase, amps);
  }
}

void street_music(SynthRng& character, SynthRng& variation, double sr, std::span<float> out) {
  static constexpr std::array<std::array<int, 7>, 3> kScales = {
      {{0, 2, 4, 7, 9, 12, 14}, {0, 3, 5, 7, 10, 12, 15}, {0, 2, 4, 5, 7, 9, 11}}};
  const double root = character.uniform(110, 330);
  const auto& scale = kScales[static_cast<std::size_t>(character.integer(0, 2))];
  const double beat = 60.0 / character.uniform(80, 160);
  const bool pluck = character.chance(0.6);  // guitar-like decay, else organ/accordion sustain
  const double decay = character.uniform(0.15, 0.6);
  const double tilt = character.uniform(0.8, 2.0);
  const bool chords = character.chance(0.5);
  const bool drums = character.chance(0.4);

  const double dur = static_cast<double>(out.size()) / sr;
  std::vector<float> amps(static_cast<std::size_t>(harmonics_below_nyquist(root * 4, sr, 12)));
  slope_amps(amps, tilt);
  auto note = [&](double t0, double length, double freq, float gain) {
    const auto begin = static_cast<std::size_t>(t0 * sr);
    const auto end = std::min(out.size(), static_cast<std::size_t>((t0 + length + 0.08) * sr));
    double phase = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const double d = static_cast<double>(i) / sr - t0;
      float env = gate(d, 0, length, pluck ? 0.005 : 0.03, 0.08);
      if (pluck) env *= static_cast<float>(std::exp(-d / decay));
      advance(phase, kTwoPi * freq / sr);
      out[i] += gain * env * harmonic_stack(phase, amps);
    }
  };
  auto pitch = [&](int degree) {
    const int octave = degree / 7, step = degree % 7;
    return root * std::pow(2.0, (scale[static_cast<std::size_t>(step)] + 12 * octave) / 12.0);
  };
  int degree = variation.integer(0, 6);
  for (double t = variation.uniform(0, beat); t < dur;) {
    static constexpr std::array<double, 4> kLengths = {0.5, 1, 1, 2};
    const double length = beat * kLengths[static_cast<std::size_t>(variation.integer(0, 3))];
    degree = std::clamp(degree + variation.integer(-2, 2), 0, 13);
    if (!variation.chance(0.1)) note(t, length * 0.9, pitch(degree), 1.0f);  // 10 % rests
    t += length;
  }
  for (double t = 0; t < dur; t += 2 * beat) {
    const int chord_root =
        std::array<int, 4>{0, 3, 4, 0}[static_cast<std::size_t>(variation.integer(0, 3))];
    if (chords)
      for (int k : {0, 2, 4}) note(t, 2 * beat * 0.95, pitch(chord_root + k) / 2, 0.35f);
    if (drums) {  // kick drum: a fast-falling low sine
      for (double kick : {t, t + beat}) {
        const auto begin = static_cast<std::size_t>(kick * sr);
        const auto end = std::min(out.size(), begin + static_cast<std::size_t>(0.25 * sr));
        double phase = 0;
        for (std::size_t i = begin; i < end; ++i) {
          const double d = static_cast<double>(i - begin) / sr;
          advance(phase, kTwoPi * (50 + 100 * std::exp(-d / 0.03)) / sr);
          out[i] += static_cast<float>(1.2 * std::exp(-d / 0.08) * std::sin(phase));
        }
      }
    }
  }
}

}  // namespace audify::synth
