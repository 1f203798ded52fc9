#include "config/paths.h"

#include <cstdlib>

namespace audify {
namespace {
std::filesystem::path from_env_or(const char* var, const char* sub) {
  if (const char* v = std::getenv(var); v && *v) return v;
  return std::filesystem::path(AUDIFY_SOURCE_DIR) / sub;
}
}  // namespace

std::filesystem::path config_root() {
  return from_env_or("AUDIFY_CONFIG_DIR", "configs");
}
std::filesystem::path experiment_root() {
  return from_env_or("AUDIFY_EXPERIMENT_DIR", "experiments");
}
std::filesystem::path dataset_index_root() {
  return from_env_or("AUDIFY_DATASET_INDEX_DIR", "framework/data/indexes");
}

}  // namespace audify
