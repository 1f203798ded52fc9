// Where Audify finds its config groups, experiments and dataset indexes at run time.
#pragma once

#include <filesystem>

#include "config/config_sources.h"

namespace audify {

// `--config-dir DIR`: a folder laid out as the source tree (DIR/configs/<group>/<option>.toml,
// DIR/experiments/<name>.toml), searched after the working directory's. Throws audify::Error when
// DIR holds neither folder.
void set_config_dir(const std::filesystem::path& dir);

// Where `audify` composes from, earliest first (the first place holding a file wins, per file):
//   1. ./configs and ./experiments of the working directory;
//   2. --config-dir DIR (set_config_dir);
//   3. $AUDIFY_CONFIG_DIR (a configs folder) and $AUDIFY_EXPERIMENT_DIR (an experiments folder);
//   4. the installed ones beside the binary, <prefix>/share/audify/{configs,experiments};
//   5. the source tree the binary was built from.
// Folders that do not exist are left out, and a folder is searched once.
ConfigSources config_search_path();

// $AUDIFY_DATASET_INDEX_DIR if set, else the installed <prefix>/share/audify/indexes, else
// <source tree>/framework/data/indexes (per-file md5s).
std::filesystem::path dataset_index_root();

}  // namespace audify
