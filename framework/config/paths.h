// Where Audify finds its config groups, experiments and dataset indexes at run time.
#pragma once

#include <filesystem>

namespace audify {

// $AUDIFY_CONFIG_DIR if set, else <source tree>/configs.
std::filesystem::path config_root();
// $AUDIFY_EXPERIMENT_DIR if set, else <source tree>/experiments.
std::filesystem::path experiment_root();
// $AUDIFY_DATASET_INDEX_DIR if set, else <source tree>/framework/data/indexes (per-file md5s).
std::filesystem::path dataset_index_root();

}  // namespace audify
