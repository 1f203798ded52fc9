// `audify bench frames`: the frame store at UrbanSound8K's size (8732 clips of 173 frames x 128
// log-mel bands, 4 s at hop 512) saved to one file and read back, so the cost a CNN run pays to
// load its cached frames is a measured figure rather than an estimate.
#pragma once

#include <cstddef>
#include <filesystem>

namespace audify {

struct FrameStoreBenchOptions {
  std::size_t clips = 8732;
  int frames = 173;
  int bands = 128;
  std::filesystem::path dir;  // where the store is written (empty: the system's temp folder)
};

struct FrameStoreBenchResult {
  std::size_t bytes = 0;    // the file's size
  double save_seconds = 0;  // checksum + write + rename
  double load_seconds = 0;  // read + checksum verification, the file in the page cache
  double bytes_per_clip = 0;
};

FrameStoreBenchResult run_frame_store_bench(const FrameStoreBenchOptions& options);

}  // namespace audify
