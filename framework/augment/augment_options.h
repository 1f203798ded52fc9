// The `augment.*` config table (configs/augment/*.toml): augmentation of the training clips only.
// On the fly, per batch: random gain, SpecAugment time and frequency masks, mixup (the random
// window crop is always on: nn/cnn/clip_windows.h). Audio-level, as Salamon & Bello 2017 did with
// muda: pitch shifts and time stretches by librubberband, dynamic-range compression by sox's
// compand, background-noise mixing; computed once per clip and cached; each epoch trains on
// versions_per_epoch versions of a training clip (nn/cnn/clip_windows.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "config/options.h"

namespace audify {

// librubberband's engines: R2 ("faster", the only one of the rubberband muda used in 2017) and R3
// ("finer", since rubberband 3.0), which keeps a clip's envelope and level closer (README,
// "Augmentation").
enum class RubberbandEngine { kFaster, kFiner };

struct AugmentOptions {
  double gain_db = 0.0;      // uniform gain in [-gain_db, +gain_db] dB (0 = off)
  int time_masks = 0;        // SpecAugment: masks per window along time
  int time_mask_frames = 0;  // each up to this many frames wide
  int freq_masks = 0;        // masks per window along the mel bands
  int freq_mask_bands = 0;   // each up to this many bands wide
  double mixup_alpha = 0.0;  // mixup with lambda ~ Beta(alpha, alpha) per batch (0 = off)
  std::vector<double> pitch_semitones;  // audio variants: pitch shifts, e.g. [-2, -1, 1, 2]
  std::vector<double> stretch_rates;    // audio variants: time stretches (> 1 = faster), muda's
                                        // sense, e.g. [0.81, 0.93, 1.07, 1.23]
  RubberbandEngine rubberband_engine = RubberbandEngine::kFaster;  // for both of the above
  std::vector<std::string> drc_presets;  // audio variants: sox compand presets (muda's), e.g.
                                         // ["radio", "film standard", "music standard", "speech"]
  std::vector<std::string> noise_files;  // audio variants: one per background recording
  double noise_weight_min = 0.1;         // clip' = (1 - w) clip + w noise, w uniform in
  double noise_weight_max = 0.5;         // [min, max] per clip (muda's BackgroundNoise)
  // Versions of each training clip per epoch: 1 = one drawn uniformly from the clip and its
  // variants; k = the clip and k - 1 distinct variants (k times the steps); 0 = all of them.
  int versions_per_epoch = 1;

  bool on_the_fly() const {
    return gain_db > 0 || (time_masks > 0 && time_mask_frames > 0) ||
           (freq_masks > 0 && freq_mask_bands > 0) || mixup_alpha > 0;
  }
  // Audio variants per clip: one per pitch shift, stretch, compression preset and noise file.
  std::size_t variant_count() const {
    return pitch_semitones.size() + stretch_rates.size() + drc_presets.size() + noise_files.size();
  }
  bool has_variants() const { return variant_count() > 0; }
};

void bind(OptionSchema& schema, AugmentOptions& options);
// Range checks; throws audify::Error naming the key.
void check(const AugmentOptions& options);
// One line for a report: "none", or each deformation in use and how an epoch draws the variants,
// e.g. "pitch -2, -1, +1, +2 st; stretch 0.81, 1.23; the clip + 1 of its 6 variants per epoch".
std::string describe(const AugmentOptions& options);

}  // namespace audify
