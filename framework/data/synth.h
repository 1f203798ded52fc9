// The embedded default dataset: a synthetic, UrbanSound8K-shaped set of clips generated on demand
// (same folders, file names and metadata CSV), so everything runs with no download.
#pragma once

#include <cstdint>
#include <filesystem>

namespace audify {

struct SynthOptions {
  std::filesystem::path out;  // dataset root to create
  int clips_per_class = 40;   // slices per class, spread over the 10 folds
  std::uint64_t seed = 0;     // same seed -> byte-identical dataset
  int threads = 0;            // 0 = all cores
  bool progress = true;       // progress line on stderr
};

struct SynthSummary {
  int clips = 0;
  int recordings = 0;              // distinct fsIDs
  double seconds = 0;              // total audio duration
  std::filesystem::path metadata;  // out/metadata/UrbanSound8K.csv
};

// Writes out/audio/fold1..fold10/<fsID>-<classID>-<occ>-<slice>.wav and
// out/metadata/UrbanSound8K.csv.
SynthSummary generate_synthetic_dataset(const SynthOptions& options);

}  // namespace audify
