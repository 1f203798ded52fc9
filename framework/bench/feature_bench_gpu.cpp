// `audify bench features device=cuda` (see feature_bench.h): the same clips as the CPU benchmark,
// through the batched GPU path, with and without decoding in the timed region.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <span>

#include "audio/load.h"
#include "bench/feature_bench.h"
#include "core/elapsed.h"
#include "core/error.h"
#include "features/extract.h"
#include "features/extract_batched.h"
#include "features/feature_options.h"

namespace audify {
namespace {

// Every clip through `gpu` in its preferred batches, max_in_flight() of them submitted at once.
std::size_t run_decoded(BatchExtractor& gpu, const std::vector<std::vector<float>>& clips) {
  std::vector<std::span<const float>> spans(clips.begin(), clips.end());
  const std::size_t batch = std::max<std::size_t>(gpu.preferred_batch(), 1);
  std::size_t in_flight = 0, batches = 0, rows = 0;
  for (std::size_t first = 0; first < spans.size(); first += batch) {
    if (in_flight == gpu.max_in_flight()) rows += gpu.collect().size(), --in_flight;
    gpu.submit(std::span(spans).subspan(first, std::min(batch, spans.size() - first)));
    ++in_flight, ++batches;
  }
  for (; in_flight > 0; --in_flight) rows += gpu.collect().size();
  AUDIFY_ASSERT(rows == clips.size());
  return batches;
}

}  // namespace

GpuFeatureBench run_gpu_feature_bench(const FeatureBenchOptions& options, Device device) {
  if (resolve_device(device) != Device::cuda)
    fail("bench features: device={} has no usable CUDA backend to measure (use device=cuda)",
         device_name(device));
  FeatureOptions fo;
  fo.load.resampler = Resampler::kaiser_fast;
  finalize(fo);

  std::vector<std::vector<std::byte>> wavs;
  std::vector<std::vector<float>> decoded;
  GpuFeatureBench r;
  for (int i = 0; i < options.clips; ++i) {
    wavs.push_back(make_bench_wav(i));
    decoded.push_back(
        conform_audio(decode_audio_memory(wavs.back(), "bench.wav"), fo.load, "bench.wav").samples);
    r.sample_bytes += static_cast<double>(decoded.back().size() * sizeof(float));
  }
  r.clips = options.clips;
  r.threads = resolve_threads(options.threads);

  std::unique_ptr<BatchExtractor> gpu = make_batch_extractor(device, fo);
  r.backend = gpu->backend();
  run_decoded(*gpu, decoded);  // warm-up: plans, buffers, the context
  r.seconds_without_decode = 1e30;
  r.seconds_with_decode = 1e30;
  for (int pass = 0; pass < options.repeats; ++pass) {
    auto t0 = SteadyClock::now();
    r.batches = run_decoded(*gpu, decoded);
    r.seconds_without_decode = std::min(r.seconds_without_decode, seconds_since(t0));

    BatchedCallbacks callbacks;
    callbacks.make_loader = [&]() -> ClipLoader {
      return [&](std::size_t i) -> std::optional<std::vector<float>> {
        return conform_audio(decode_audio_memory(wavs[i], "bench.wav"), fo.load, "bench.wav")
            .samples;
      };
    };
    std::atomic<std::size_t> rows{0};
    std::string first_error;
    std::mutex error_mutex;
    callbacks.row = [&](std::size_t, std::vector<float>) { rows.fetch_add(1); };
    callbacks.failed = [&](std::size_t, std::string error) {
      std::lock_guard lock(error_mutex);
      if (first_error.empty()) first_error = std::move(error);
    };
    t0 = SteadyClock::now();
    extract_batched(wavs.size(), r.threads, *gpu, callbacks);
    r.seconds_with_decode = std::min(r.seconds_with_decode, seconds_since(t0));
    if (!first_error.empty())
      fail("bench features: a clip failed on the GPU path: {}", first_error);
    AUDIFY_ASSERT(rows.load() == wavs.size());
  }
  return r;
}

}  // namespace audify
