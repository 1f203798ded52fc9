// Internal to the synth recipes: the per-class renderers (split over two files by kind, tonal and
// noisy) and the mixing helpers they share. Signatures as render_recipe in synth_recipes.h.
#pragma once

#include <span>
#include <vector>

#include "data/synth_rng.h"

namespace audify::synth {

using Recipe = void (*)(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);

// Tonal sources (synth_recipes_tonal.cpp).
void car_horn(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);
void drilling(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);
void engine_idling(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);
void siren(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);
void street_music(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);

// Noisy, impulsive or vocal sources (synth_recipes_noisy.cpp).
void air_conditioner(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);
void children_playing(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);
void dog_bark(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);
void gun_shot(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);
void jackhammer(SynthRng& character, SynthRng& variation, double sr, std::span<float> out);

// Adds `part` to `out` rescaled to RMS `gain`, so components mix by intended proportion whatever
// their filters did to their level. A silent part adds nothing.
void mix_rms(std::span<float> out, std::span<const float> part, double gain);

// Multiplicative jitter 1 + rel * N(0, 1), kept positive.
double jitter(SynthRng& rng, double rel);

}  // namespace audify::synth
