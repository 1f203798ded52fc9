#include "augment/audio_deformations.h"

#include <fmt/format.h>
#include <rubberband/RubberBandStretcher.h>

#include <cmath>

#include "augment/background_noise.h"
#include "augment/dynamic_range_compression.h"
#include "core/error.h"

namespace audify {
namespace {

std::vector<float> stretch(std::span<const float> y, int sr, double time_ratio,
                           double pitch_scale) {
  if (y.empty()) return {};
  using RubberBand::RubberBandStretcher;
  RubberBandStretcher rb(static_cast<std::size_t>(sr), 1, RubberBandStretcher::OptionProcessOffline,
                         time_ratio, pitch_scale);
  rb.setExpectedInputDuration(y.size());
  rb.setMaxProcessSize(y.size());
  const float* in = y.data();
  rb.study(&in, y.size(), true);
  rb.process(&in, y.size(), true);
  std::vector<float> out;
  out.reserve(static_cast<std::size_t>(static_cast<double>(y.size()) * time_ratio) + 1024);
  for (int available; (available = rb.available()) > 0;) {
    const std::size_t at = out.size();
    out.resize(at + static_cast<std::size_t>(available));
    float* dst = out.data() + at;
    rb.retrieve(&dst, static_cast<std::size_t>(available));
  }
  return out;
}

}  // namespace

std::vector<float> pitch_shift(std::span<const float> y, int sr, double semitones) {
  return stretch(y, sr, 1.0, std::pow(2.0, semitones / 12.0));
}

std::vector<float> time_stretch(std::span<const float> y, int sr, double rate) {
  if (!(rate > 0)) fail("time_stretch: rate {} must be > 0", rate);
  return stretch(y, sr, 1.0 / rate, 1.0);
}

std::vector<AudioTransform> audio_variants(const AugmentOptions& options) {
  std::vector<AudioTransform> out;
  for (double s : options.pitch_semitones)
    out.push_back({fmt::format("pitch{:+g}", s),
                   [s](std::span<const float> y, int sr) { return pitch_shift(y, sr, s); }});
  for (double r : options.stretch_rates)
    out.push_back({fmt::format("stretch{:g}", r),
                   [r](std::span<const float> y, int sr) { return time_stretch(y, sr, r); }});
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
