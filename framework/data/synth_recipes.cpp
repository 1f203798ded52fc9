// Dispatch from UrbanSound8K class id to recipe, and the helpers the recipes share.
#include "data/synth_recipes.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "data/synth_recipes_impl.h"

namespace audify::synth {

void render_recipe(int class_id, SynthRng& character, SynthRng& variation, double sr,
                   std::span<float> out) {
  // Same order as kUrbanSoundClasses.
  static constexpr std::array<Recipe, 10> kRecipes = {
      air_conditioner, car_horn, children_playing, dog_bark, drilling,
      engine_idling,   gun_shot, jackhammer,       siren,    street_music};
  AUDIFY_ASSERT(class_id >= 0 && class_id < 10);
  kRecipes[static_cast<std::size_t>(class_id)](character, variation, sr, out);
}

void mix_rms(std::span<float> out, std::span<const float> part, double gain) {
  AUDIFY_ASSERT(out.size() == part.size());
  double energy = 0;
  for (float x : part) energy += static_cast<double>(x) * x;
  if (energy <= 0) return;
  const float scale =
      static_cast<float>(gain / std::sqrt(energy / static_cast<double>(part.size())));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] += scale * part[i];
}

double jitter(SynthRng& rng, double rel) {
  return std::max(0.05, 1.0 + rel * rng.normal());
}

}  // namespace audify::synth
