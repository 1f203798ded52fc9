// The ten class recipes of the synthetic dataset: each renders a sound recognisable as its
// UrbanSound8K class (siren, dog bark, ...), with randomness split in two streams so that the
// slices of one recording share their source's character while differing in detail.
#pragma once

#include <span>

#include "data/synth_rng.h"

namespace audify::synth {

// Renders class `class_id` (0..9, UrbanSound8K order) into `out` (mono, zero on entry, arbitrary
// scale: the caller sets the level). `character` must be seeded per recording (pitch, timbre,
// rates) and is drawn first, in a fixed order; `variation` is seeded per slice (event timing,
// small pitch and level changes). `sr` is the sample rate in Hz; no partial exceeds 0.45 sr.
void render_recipe(int class_id, SynthRng& character, SynthRng& variation, double sr,
                   std::span<float> out);

}  // namespace audify::synth
