#include "data/default_dataset.h"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "data/synth.h"

namespace audify {

std::filesystem::path default_synthetic_root() {
  if (const char* v = std::getenv("AUDIFY_DATA_DIR"); v && *v)
    return std::filesystem::path(v) / "synthetic";
  return std::filesystem::path("data") / "synthetic";
}

std::filesystem::path ensure_synthetic_dataset(const std::filesystem::path& root,
                                               int clips_per_class, unsigned long long seed,
                                               SynthLayout layout) {
  const std::filesystem::path metadata = layout == SynthLayout::esc50
                                             ? root / "meta" / "esc50.csv"
                                             : root / "metadata" / "UrbanSound8K.csv";
  if (std::filesystem::exists(metadata)) return root;
  spdlog::info("generating the synthetic dataset in {} ({} clips per class, seed {})",
               root.string(), clips_per_class, seed);
  SynthOptions options;
  options.out = root;
  options.clips_per_class = clips_per_class;
  options.seed = seed;
  options.layout = layout;
  generate_synthetic_dataset(options);
  return root;
}

}  // namespace audify
