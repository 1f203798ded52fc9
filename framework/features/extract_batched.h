// The batched extraction loop of a GPU backend: CPU threads decode and resample clips while the
// BatchExtractor turns full batches into feature rows, two batches in flight, so decoding overlaps
// the GPU's copies and kernels. The CPU backend needs none of this (extract.cpp runs it per clip).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "features/backend.h"

namespace audify {

// Clip i's samples at the MFCC's rate, or nullopt when it needs no extraction (a cache hit).
// Throws for a clip that cannot be loaded.
using ClipLoader = std::function<std::optional<std::vector<float>>(std::size_t i)>;

struct BatchedCallbacks {
  // Makes one loader per CPU thread (so a loader may keep per-thread state).
  std::function<ClipLoader()> make_loader;
  // Each clip ends in exactly one of these (a nullopt load ends in neither), called from any
  // thread but never twice for the same i.
  std::function<void(std::size_t i, std::vector<float> row)> row;
  std::function<void(std::size_t i, std::string error)> failed;
};

struct BatchedStats {
  std::size_t batches = 0;
  double wait_seconds = 0;  // the GPU thread waiting for decoded clips (decode-bound when large)
};

// Extracts clips [0, count) with `threads` loader threads feeding `extractor`. A batch the backend
// refuses (one bad clip) is retried clip by clip, so only that clip fails; a batch whose device
// work fails when collected fails all its clips, and only those.
BatchedStats extract_batched(std::size_t count, int threads, BatchExtractor& extractor,
                             const BatchedCallbacks& callbacks);

}  // namespace audify
