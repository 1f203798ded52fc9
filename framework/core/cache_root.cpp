#include "core/cache_root.h"

#include <cstdlib>

namespace audify {

std::filesystem::path user_cache_root() {
  if (const char* v = std::getenv("AUDIFY_CACHE_DIR"); v && *v) return v;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v && *v)
    return std::filesystem::path(v) / "audify";
  if (const char* v = std::getenv("HOME"); v && *v)
    return std::filesystem::path(v) / ".cache" / "audify";
  return std::filesystem::temp_directory_path() / "audify-cache";
}

}  // namespace audify
