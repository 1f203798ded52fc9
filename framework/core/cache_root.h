// The one folder per user under which Audify keeps everything it can recompute: feature rows
// (features/), frame stores (frames/), augmentation variants, and the embedded synthetic datasets
// (synthetic/). One root, so a user clears or relocates every cache with one variable.
#pragma once

#include <filesystem>

namespace audify {

// $AUDIFY_CACHE_DIR, else $XDG_CACHE_HOME/audify, else ~/.cache/audify, else <tmp>/audify-cache.
std::filesystem::path user_cache_root();

}  // namespace audify
