// Salamon & Bello 2017's audio deformations, through librubberband as muda (pyrubberband) applies
// them: a pitch shift by semitones at the same duration, and a time stretch by a rate at the same
// pitch (rate > 1 is faster, i.e. shorter: pyrubberband.time_stretch's sense). Offline, with the
// engine augment.rubberband_engine names (R2 "faster", what muda's rubberband had; R3 "finer").
#pragma once

#include <span>
#include <string>
#include <vector>

#include "augment/augment_options.h"
#include "features/extract_frames.h"

namespace audify {

std::vector<float> pitch_shift(std::span<const float> samples, int sample_rate, double semitones,
                               RubberbandEngine engine = RubberbandEngine::kFaster);
std::vector<float> time_stretch(std::span<const float> samples, int sample_rate, double rate,
                                RubberbandEngine engine = RubberbandEngine::kFaster);

// The variants augment.pitch_semitones, stretch_rates, drc_presets and noise_files ask for, in
// that order, as transforms for extract_frames (keys "pitch+2", "stretch0.81", "drc:radio",
// "noise:<file>:..."; the R3 engine's rubberband keys end in "-r3").
std::vector<AudioTransform> audio_variants(const AugmentOptions& options);

}  // namespace audify
