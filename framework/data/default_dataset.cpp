#include "data/default_dataset.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "core/cache_root.h"
#include "core/error.h"
#include "data/synth.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

fs::path metadata_of(const fs::path& root, SynthLayout layout) {
  return layout == SynthLayout::esc50 ? root / "meta" / "esc50.csv"
                                      : root / "metadata" / "UrbanSound8K.csv";
}

}  // namespace

fs::path default_synthetic_root() {
  if (const char* v = std::getenv("AUDIFY_DATA_DIR"); v && *v) return fs::path(v) / "synthetic";
  return user_cache_root() / "synthetic";
}

fs::path synthetic_dataset_root(int clips_per_class, std::uint64_t seed, SynthLayout layout) {
  return default_synthetic_root() /
         fmt::format("v{}_{}_{}x_seed{}", kSynthGeneratorVersion,
                     layout == SynthLayout::esc50 ? "esc50" : "urbansound8k", clips_per_class,
                     seed);
}

fs::path ensure_synthetic_dataset(const fs::path& root, int clips_per_class,
                                  unsigned long long seed, SynthLayout layout) {
  if (fs::exists(metadata_of(root, layout))) return root;
  spdlog::info("generating the synthetic dataset in {} ({} clips per class, seed {})",
               root.string(), clips_per_class, seed);
  std::error_code ec;
  if (root.has_parent_path()) fs::create_directories(root.parent_path(), ec);
  const fs::path staging = fs::path(root.string() + fmt::format(".partial-{}", ::getpid()));
  fs::remove_all(staging, ec);
  SynthOptions options;
  options.out = staging;
  options.clips_per_class = clips_per_class;
  options.seed = seed;
  options.layout = layout;
  try {
    generate_synthetic_dataset(options);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  fs::rename(staging, root, ec);
  if (ec) {
    // Another process finished the same set first: keep its copy, drop ours.
    fs::remove_all(staging);
    if (!fs::exists(metadata_of(root, layout)))
      fail("{}: cannot move the generated synthetic dataset into place: {}", root.string(),
           ec.message());
  }
  return root;
}

}  // namespace audify
