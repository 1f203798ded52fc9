// The embedded default dataset: where it lives and generating it on first use.
#pragma once

#include <filesystem>

#include "data/synth.h"

namespace audify {

// ./data/synthetic (relative to the working directory), or $AUDIFY_DATA_DIR/synthetic.
std::filesystem::path default_synthetic_root();
// Generates the synthetic dataset at `root` in `layout` unless its metadata already exists;
// returns `root`.
std::filesystem::path ensure_synthetic_dataset(const std::filesystem::path& root,
                                               int clips_per_class = 40,
                                               unsigned long long seed = 0,
                                               SynthLayout layout = SynthLayout::urbansound8k);

}  // namespace audify
