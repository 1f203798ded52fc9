// Where Audify finds its config groups and experiments at run time.
#pragma once

#include <filesystem>

namespace audify {

// $AUDIFY_CONFIG_DIR if set, else <source tree>/configs.
std::filesystem::path config_root();
// $AUDIFY_EXPERIMENT_DIR if set, else <source tree>/experiments.
std::filesystem::path experiment_root();

}  // namespace audify
