// The runner's input: a labelled feature table, from audio (extracted with the feature cache) or
// from a feature table CSV (data.features), with the class names the reports use. For frame-level
// features (features.summary = "none", the CNNs) the table's rows carry only the labels, and
// `frames` holds clip i's frames for table row i.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/feature_table.h"
#include "experiment/run_config.h"
#include "features/frame_store.h"

namespace audify {

struct RunData {
  FeatureTable table;                             // labelled rows only (classID >= 0)
  std::shared_ptr<const FrameStore> frames;       // frame-level features, row i = clip i; else null
  std::shared_ptr<const FrameVariants> variants;  // augment's audio variants of `frames`, or null
  std::vector<std::string> class_names;           // index = class id
  std::string source;                             // the dataset root or the CSV, for the report
  std::size_t unlabelled = 0;                     // rows dropped for lacking a classID
  std::size_t failures = 0;                       // clips whose extraction failed (left out)
  std::size_t cache_hits = 0;
  double dataset_seconds = 0;  // generating the synthetic dataset (0 when it existed)
  int classes() const { return static_cast<int>(class_names.size()); }
};

// Throws audify::Error naming data.features, data.root or data.clips_per_class when the data the
// config names cannot be there; called before a run folder is created.
void check_run_data(const RunConfig& config);

// The dataset root the config names: data.root, or the synthetic dataset (generated when absent;
// seeds and sizes other than the defaults get their own folder beside the default one).
std::filesystem::path dataset_root(const RunConfig& config);

// Loads or extracts the table. Throws audify::Error when there is nothing to train on.
RunData load_run_data(const RunConfig& config, bool progress = true);

}  // namespace audify
