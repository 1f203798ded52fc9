#include "bench/frame_store_bench.h"

#include <unistd.h>

#include <chrono>
#include <string>

#include "core/elapsed.h"
#include "core/error.h"
#include "core/matrix.h"
#include "core/philox.h"
#include "features/frame_store.h"

namespace audify {

FrameStoreBenchResult run_frame_store_bench(const FrameStoreBenchOptions& o) {
  if (o.clips == 0 || o.frames <= 0 || o.bands <= 0) fail("bench frames: empty store asked for");
  FrameStore store(o.bands);
  Matrix clip(static_cast<std::size_t>(o.frames), static_cast<std::size_t>(o.bands));
  PhiloxStream rng(0, RandomStream::kShuffle, 0);
  for (std::size_t c = 0; c < o.clips; ++c) {
    for (float& v : clip.data) v = -80.0f * uniform01(rng.next_u32());  // log-mel-like, in dB
    store.append(clip);
  }
  const std::filesystem::path dir = o.dir.empty() ? std::filesystem::temp_directory_path() : o.dir;
  const std::filesystem::path path =
      dir / ("audify_bench_frames_" + std::to_string(::getpid()) + ".frames");
  FrameStoreBenchResult r;
  auto t = std::chrono::steady_clock::now();
  store.save(path, "{}");
  r.save_seconds = seconds_since(t);
  r.bytes = std::filesystem::file_size(path);
  t = std::chrono::steady_clock::now();
  const FrameStore loaded = FrameStore::load(path);
  r.load_seconds = seconds_since(t);
  std::filesystem::remove(path);
  if (loaded.clips() != o.clips)
    fail("bench frames: {} clips read back of {}", loaded.clips(), o.clips);
  r.bytes_per_clip = static_cast<double>(r.bytes) / static_cast<double>(o.clips);
  return r;
}

}  // namespace audify
