#include "augment/audio_deformations.h"

#include <fmt/format.h>
#include <rubberband/RubberBandStretcher.h>

#include <algorithm>
#include <cmath>

#include "augment/background_noise.h"
#include "augment/dynamic_range_compression.h"
#include "core/error.h"

namespace audify {
namespace {

// Offline, so every output sample sees the whole clip (study, then process). R2 takes the clip in
// one call, as earlier builds did, so their cached variants stay what this computes. R3 is fed in
// blocks: its output buffer is bounded, and one call over a 4 s clip silently keeps only its
// first ~1.5 s.
std::vector<float> stretch(std::span<const float> y, int sr, double time_ratio, double pitch_scale,
                           RubberbandEngine engine) {
  if (y.empty()) return {};
  using RubberBand::RubberBandStretcher;
  const bool finer = engine == RubberbandEngine::kFiner;
  const RubberBandStretcher::Options options =
      RubberBandStretcher::OptionProcessOffline |
      (finer ? RubberBandStretcher::OptionEngineFiner : RubberBandStretcher::OptionEngineFaster);
  RubberBandStretcher rb(static_cast<std::size_t>(sr), 1, options, time_ratio, pitch_scale);
  const std::size_t block = finer ? std::size_t{4096} : y.size();
  rb.setExpectedInputDuration(y.size());
  rb.setMaxProcessSize(block);
  std::vector<float> out;
  out.reserve(static_cast<std::size_t>(static_cast<double>(y.size()) * time_ratio) + 1024);
  const auto drain = [&] {
    for (int available; (available = rb.available()) > 0;) {
      const std::size_t at = out.size();
      out.resize(at + static_cast<std::size_t>(available));
      float* dst = out.data() + at;
      rb.retrieve(&dst, static_cast<std::size_t>(available));
    }
  };
  for (std::size_t at = 0; at < y.size(); at += block) {
    const float* in = y.data() + at;
    rb.study(&in, std::min(block, y.size() - at), at + block >= y.size());
  }
  for (std::size_t at = 0; at < y.size(); at += block) {
    const float* in = y.data() + at;
    rb.process(&in, std::min(block, y.size() - at), at + block >= y.size());
    drain();
  }
  return out;
}

// The cache key of a rubberband variant: R2's keys are those of builds before the engine choice.
std::string engine_key(std::string key, RubberbandEngine engine) {
  return engine == RubberbandEngine::kFiner ? key + "-r3" : key;
}

}  // namespace

std::vector<float> pitch_shift(std::span<const float> y, int sr, double semitones,
                               RubberbandEngine engine) {
  return stretch(y, sr, 1.0, std::pow(2.0, semitones / 12.0), engine);
}

std::vector<float> time_stretch(std::span<const float> y, int sr, double rate,
                                RubberbandEngine engine) {
  if (!(rate > 0)) fail("time_stretch: rate {} must be > 0", rate);
  return stretch(y, sr, 1.0 / rate, 1.0, engine);
}

std::vector<AudioTransform> audio_variants(const AugmentOptions& options) {
  std::vector<AudioTransform> out;
  const RubberbandEngine engine = options.rubberband_engine;
  for (double s : options.pitch_semitones)
    out.push_back(
        {engine_key(fmt::format("pitch{:+g}", s), engine),
         [s, engine](std::span<const float> y, int sr) { return pitch_shift(y, sr, s, engine); }});
  for (double r : options.stretch_rates)
    out.push_back(
        {engine_key(fmt::format("stretch{:g}", r), engine),
         [r, engine](std::span<const float> y, int sr) { return time_stretch(y, sr, r, engine); }});
  for (const std::string& p : options.drc_presets)
    out.push_back({fmt::format("drc:{}", p), [p](std::span<const float> y, int sr) {
                     return compress_dynamic_range(y, sr, p);
                   }});
  for (AudioTransform& t : background_noise_variants(options.noise_files, options.noise_weight_min,
                                                     options.noise_weight_max))
    out.push_back(std::move(t));
  return out;
}

}  // namespace audify
