// The embedded default dataset: where it lives and generating it on first use. It is kept once per
// user in Audify's cache folder (core/cache_root.h), keyed by the generator's version and options,
// so every working directory and checkout shares one copy instead of writing ./data/synthetic.
#pragma once

#include <cstdint>
#include <filesystem>

#include "data/synth.h"

namespace audify {

// Bumped whenever the generator's output changes for the same options, so a cached set made by an
// older generator is never reused.
inline constexpr int kSynthGeneratorVersion = 2;

// $AUDIFY_DATA_DIR/synthetic when set, else <cache>/synthetic (core/cache_root.h's
// user_cache_root(): $AUDIFY_CACHE_DIR, $XDG_CACHE_HOME/audify or ~/.cache/audify).
std::filesystem::path default_synthetic_root();
// The folder of one set under default_synthetic_root(): v<version>_<layout>_<N>x_seed<S>.
std::filesystem::path synthetic_dataset_root(int clips_per_class, std::uint64_t seed,
                                             SynthLayout layout);
// Generates the synthetic dataset at `root` in `layout` unless its metadata already exists, and
// returns `root`. It is written beside `root` and renamed into place when complete, so an
// interrupted generation leaves no half set and two processes racing both end with one whole set.
std::filesystem::path ensure_synthetic_dataset(const std::filesystem::path& root,
                                               int clips_per_class = 40,
                                               unsigned long long seed = 0,
                                               SynthLayout layout = SynthLayout::urbansound8k);

}  // namespace audify
