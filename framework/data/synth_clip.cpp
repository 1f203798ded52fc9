// Mixing one synthetic slice (see synth_clip.h). Every random stream is keyed by (seed, fsID,
// stream[, slice]): recording-level streams repeat across sibling slices (shared source, level,
// background, format), slice-level streams differ, and no stream depends on rendering order.
#include "data/synth_clip.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include "core/error.h"
#include "data/synth_dsp.h"
#include "data/synth_recipes.h"

namespace audify::synth {

namespace {

enum Stream : std::uint64_t {
  kCharacter = 1,
  kVariation,
  kMix,
  kMixVariation,
  kInterfererCharacter,
  kInterfererVariation,
};

// RMS over the active part (50 ms frames within 30 dB of the loudest), so a lone gun shot and a
// steady drone at the same level sound equally loud against the background.
double active_rms(std::span<const float> x, double sr) {
  const std::size_t frame = std::max<std::size_t>(1, static_cast<std::size_t>(0.05 * sr));
  std::vector<double> energy;
  for (std::size_t i = 0; i < x.size(); i += frame) {
    const std::size_t end = std::min(x.size(), i + frame);
    double e = 0;
    for (std::size_t j = i; j < end; ++j) e += static_cast<double>(x[j]) * x[j];
    energy.push_back(e / static_cast<double>(end - i));
  }
  const double loudest = *std::max_element(energy.begin(), energy.end());
  double sum = 0;
  int count = 0;
  for (double e : energy)
    if (e >= loudest * 1e-3) sum += e, ++count;
  return count > 0 ? std::sqrt(sum / count) : 0.0;
}

void scale_to(std::span<float> x, double rms, double target) {
  if (rms <= 0) return;
  const auto g = static_cast<float>(target / rms);
  for (float& v : x) v *= g;
}

std::vector<float> render_source(int class_id, std::uint64_t character_key,
                                 std::uint64_t variation_key, double sr, std::size_t n,
                                 double level) {
  std::vector<float> x(n);
  SynthRng character(character_key), variation(variation_key);
  render_recipe(class_id, character, variation, sr, x);
  scale_to(x, active_rms(x, sr), level);
  return x;
}

}  // namespace

void draw_recording_format(SynthRng& rng, RecordingPlan& recording) {
  struct Choice {
    double weight;
    WavFormat format;
  };
  // Roughly UrbanSound8K's mix: mostly 44.1 kHz 16-bit stereo, a long tail of others.
  static constexpr std::array<Choice, 7> kFormats = {{
      {0.50, {44100, 2, WavSample::kPcm16}},
      {0.12, {48000, 2, WavSample::kPcm16}},
      {0.10, {44100, 2, WavSample::kPcm24}},
      {0.10, {22050, 1, WavSample::kPcm16}},
      {0.07, {11025, 1, WavSample::kPcmU8}},
      {0.06, {48000, 2, WavSample::kFloat32}},
      {0.05, {96000, 2, WavSample::kPcm24}},
  }};
  double u = rng.uniform();
  recording.format = kFormats.back().format;
  for (const Choice& c : kFormats) {
    if (u < c.weight) {
      recording.format = c.format;
      break;
    }
    u -= c.weight;
  }
  recording.salience = rng.chance(0.7) ? 1 : 2;
}

std::vector<float> render_clip(const RecordingPlan& recording, const ClipPlan& clip,
                               std::uint64_t seed) {
  const double sr = recording.format.sample_rate;
  const auto channels = static_cast<std::size_t>(recording.format.channels);
  const auto n =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::lround((clip.end - clip.start) * sr)));
  const std::uint64_t id = static_cast<std::uint64_t>(recording.fs_id);
  const auto slice = static_cast<std::uint64_t>(clip.slice);

  SynthRng mix(synth_key(seed, id, kMix)), mix_variation(synth_key(seed, id, kMixVariation, slice));
  const double level_db = mix.uniform(-30, -6) + mix_variation.uniform(-1.5, 1.5);
  const double snr_db = (recording.salience == 1 ? mix.uniform(12, 30) : mix.uniform(5, 14)) +
                        mix_variation.uniform(-2, 2);
  const double pan = mix.uniform(-0.6, 0.6);
  const bool interferer = mix.chance(0.3);  // another class in the background, as in the real set
  const int interferer_class = (recording.class_id + mix.integer(1, 9)) % 10;
  const double interferer_db = mix.uniform(-20, -8);
  const double bg_cutoff = mix.uniform(150, 3000);
  const double bg_white = mix.uniform(0.0, 0.3);
  const double hum = mix.chance(0.25) ? (mix.chance(0.5) ? 50.0 : 60.0) : 0.0;
  const double bg_swell_rate = mix.uniform(0.05, 0.5);

  const double level = std::pow(10.0, level_db / 20);
  const std::vector<float> fg = render_source(recording.class_id, synth_key(seed, id, kCharacter),
                                              synth_key(seed, id, kVariation, slice), sr, n, level);
  std::vector<float> other;
  if (interferer)
    other = render_source(interferer_class, synth_key(seed, id, kInterfererCharacter),
                          synth_key(seed, id, kInterfererVariation, slice), sr, n,
                          level * std::pow(10.0, interferer_db / 20));

  // Background: coloured noise with a slow swell (traffic, wind), independent per channel.
  const double bg_level = level * std::pow(10.0, -snr_db / 20);
  std::vector<std::vector<float>> bg(channels, std::vector<float>(n));
  const double swell_phase = mix_variation.uniform(0, kTwoPi);
  for (auto& channel : bg) {
    OnePole lp1(bg_cutoff, sr), lp2(bg_cutoff, sr);
    for (std::size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / sr;
      const float w = mix_variation.noise();
      const auto swell =
          static_cast<float>(1 + 0.3 * std::sin(kTwoPi * bg_swell_rate * t + swell_phase));
      channel[i] = swell * (lp2.lowpass(lp1.lowpass(w)) * 3 + static_cast<float>(bg_white) * w);
      if (hum > 0) channel[i] += static_cast<float>(0.3 * std::sin(kTwoPi * hum * t));
    }
    scale_to(channel, active_rms(channel, sr), bg_level);
  }

  // Constant-power pan; the interferer sits on the other side.
  const double angle = (pan + 1) * kTwoPi / 8;
  const std::array<float, 2> fg_gain = {static_cast<float>(std::cos(angle) * std::sqrt(2.0)),
                                        static_cast<float>(std::sin(angle) * std::sqrt(2.0))};
  std::vector<float> out(n * channels);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < channels; ++c) {
      const float g = channels == 1 ? 1.0f : fg_gain[c];
      const float h = channels == 1 ? 1.0f : fg_gain[1 - c];
      out[i * channels + c] = g * fg[i] + (other.empty() ? 0.0f : h * other[i]) + bg[c][i];
    }
  }
  // Never clip: loud impulsive clips are limited to -1 dBFS peak.
  float peak = 0;
  for (float v : out) peak = std::max(peak, std::abs(v));
  if (peak > 0.89f)
    for (float& v : out) v *= 0.89f / peak;
  AUDIFY_ASSERT(std::all_of(out.begin(), out.end(), [](float v) { return std::isfinite(v); }));
  return out;
}

}  // namespace audify::synth
