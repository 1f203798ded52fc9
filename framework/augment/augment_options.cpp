#include "augment/augment_options.h"

#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>

#include "augment/dynamic_range_compression.h"

#include "core/error.h"

namespace audify {

void bind(OptionSchema& s, AugmentOptions& a) {
  s.field("gain_db", a.gain_db, "random gain: uniform in [-gain_db, +gain_db] dB (0 = off)");
  s.field("time_masks", a.time_masks, "SpecAugment: time masks per training window");
  s.field("time_mask_frames", a.time_mask_frames, "SpecAugment: widest time mask, frames");
  s.field("freq_masks", a.freq_masks, "SpecAugment: frequency masks per training window");
  s.field("freq_mask_bands", a.freq_mask_bands, "SpecAugment: widest frequency mask, mel bands");
  s.field("mixup_alpha", a.mixup_alpha, "mixup: lambda ~ Beta(alpha, alpha) per batch (0 = off)");
  s.field("pitch_semitones", a.pitch_semitones,
          "audio variants by librubberband: pitch shifts in semitones, e.g. [-2, -1, 1, 2]");
  s.field("stretch_rates", a.stretch_rates,
          "audio variants by librubberband: time-stretch rates (> 1 faster), e.g. [0.81, 1.23]");
  s.choice("rubberband_engine", a.rubberband_engine,
           {{"faster", RubberbandEngine::kFaster}, {"finer", RubberbandEngine::kFiner}},
           "librubberband's engine for the pitch and stretch variants: R2 or R3");
  s.field("drc_presets", a.drc_presets,
          "audio variants by sox's compand: dynamic-range compression presets (muda's: radio, film "
          "standard, film light, music standard, music light, speech)");
  s.field("noise_files", a.noise_files,
          "audio variants: background recordings to mix in, one variant per file");
  s.field("noise_weight_min", a.noise_weight_min, "background mix weight, lowest (per clip)");
  s.field("noise_weight_max", a.noise_weight_max, "background mix weight, highest (per clip)");
  s.field("versions_per_epoch", a.versions_per_epoch,
          "versions of each training clip per epoch: 1 = one drawn from the clip and its audio "
          "variants, k = the clip and k - 1 distinct variants (k times the steps), 0 = all");
}

void check(const AugmentOptions& a) {
  if (!(a.gain_db >= 0 && a.gain_db <= 60))
    fail("augment.gain_db: {} is outside [0, 60] dB", a.gain_db);
  for (const auto& [key, value] : {std::pair{"time_masks", a.time_masks},
                                   {"time_mask_frames", a.time_mask_frames},
                                   {"freq_masks", a.freq_masks},
                                   {"freq_mask_bands", a.freq_mask_bands},
                                   {"versions_per_epoch", a.versions_per_epoch}})
    if (value < 0 || value > 1000) fail("augment.{}: {} is outside [0, 1000]", key, value);
  if (!(a.mixup_alpha >= 0 && a.mixup_alpha <= 10))
    fail("augment.mixup_alpha: {} is outside [0, 10]", a.mixup_alpha);
  for (double s : a.pitch_semitones)
    if (!(std::abs(s) <= 12) || s == 0)
      fail("augment.pitch_semitones: {} is not a shift in [-12, 12] other than 0", s);
  for (double r : a.stretch_rates)
    if (!(r >= 0.5 && r <= 2.0) || r == 1)
      fail("augment.stretch_rates: {} is not a rate in [0.5, 2] other than 1", r);
  for (const std::string& p : a.drc_presets)
    if (!is_drc_preset(p))
      fail("augment.drc_presets: unknown preset '{}' (one of: {})", p,
           fmt::join(drc_preset_names(), ", "));
  for (const std::string& f : a.noise_files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f, ec))
      fail("augment.noise_files: {} is not a readable file", f);
  }
  if (!(a.noise_weight_min > 0 && a.noise_weight_min <= a.noise_weight_max &&
        a.noise_weight_max < 1))
    fail("augment.noise_weight_min/noise_weight_max: {} and {} must satisfy 0 < min <= max < 1",
         a.noise_weight_min, a.noise_weight_max);
}

std::string describe(const AugmentOptions& a) {
  std::vector<std::string> parts;
  if (a.gain_db > 0) parts.push_back(fmt::format("gain ±{:g} dB", a.gain_db));
  if (a.time_masks > 0 && a.time_mask_frames > 0)
    parts.push_back(fmt::format("{} time mask(s) ≤ {} frames", a.time_masks, a.time_mask_frames));
  if (a.freq_masks > 0 && a.freq_mask_bands > 0)
    parts.push_back(
        fmt::format("{} frequency mask(s) ≤ {} bands", a.freq_masks, a.freq_mask_bands));
  if (a.mixup_alpha > 0) parts.push_back(fmt::format("mixup α {:g}", a.mixup_alpha));
  if (!a.pitch_semitones.empty()) {
    std::vector<std::string> shifts;
    for (double s : a.pitch_semitones) shifts.push_back(fmt::format("{:+g}", s));
    parts.push_back(fmt::format("pitch {} st", fmt::join(shifts, ", ")));
  }
  if (!a.stretch_rates.empty())
    parts.push_back(fmt::format("stretch {}", fmt::join(a.stretch_rates, ", ")));
  if (a.rubberband_engine == RubberbandEngine::kFiner &&
      !(a.pitch_semitones.empty() && a.stretch_rates.empty()))
    parts.back() += " (rubberband R3)";
  if (!a.drc_presets.empty())
    parts.push_back(fmt::format("compression {}", fmt::join(a.drc_presets, ", ")));
  if (!a.noise_files.empty())
    parts.push_back(fmt::format("background noise from {} file(s), weight {:g}-{:g}",
                                a.noise_files.size(), a.noise_weight_min, a.noise_weight_max));
  if (a.has_variants()) {
    const std::size_t variants = a.variant_count();
    const auto k = static_cast<std::size_t>(a.versions_per_epoch);
    if (k == 1)
      parts.push_back(fmt::format("the clip or 1 of its {} variants per epoch", variants));
    else if (k == 0 || k > variants)
      parts.push_back(fmt::format("the clip + all {} variants per epoch", variants));
    else
      parts.push_back(fmt::format("the clip + {} of its {} variants per epoch", k - 1, variants));
  }
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace audify
