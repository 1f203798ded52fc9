// The embedded default dataset: a synthetic, UrbanSound8K-shaped set of clips generated on demand
// (same folders, file names and metadata CSV), so everything runs with no download. The same
// clips can be written in the ESC-50 layout instead (5 folds, audio/ and meta/esc50.csv).
#pragma once

#include <cstdint>
#include <filesystem>

namespace audify {

enum class SynthLayout {
  urbansound8k,  // audio/fold1..fold10/<fsID>-<classID>-0-<slice>.wav, metadata/UrbanSound8K.csv
  // audio/<fold>-<fsID>-<take>-<classID>.wav, meta/esc50.csv; 5 folds; category = the UrbanSound8K
  // class name; the even class ids are marked esc10 (so data.subset=esc10 keeps 5 classes).
  esc50,
};

struct SynthOptions {
  std::filesystem::path out;  // dataset root to create
  SynthLayout layout = SynthLayout::urbansound8k;
  int clips_per_class = 40;  // slices per class, spread over the layout's folds
  std::uint64_t seed = 0;    // same seed -> byte-identical dataset
  int threads = 0;           // 0 = all cores
  bool progress = true;      // progress line on stderr
};

struct SynthSummary {
  int clips = 0;
  int recordings = 0;              // distinct fsIDs
  double seconds = 0;              // total audio duration
  std::filesystem::path metadata;  // out/metadata/UrbanSound8K.csv or out/meta/esc50.csv
};

// Writes the clips and the metadata CSV in options.layout.
SynthSummary generate_synthetic_dataset(const SynthOptions& options);

}  // namespace audify
