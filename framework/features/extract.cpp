#include "features/extract.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "audio/audio_file.h"
#include "audio/load.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/file_error.h"
#include "core/npy.h"
#include "core/progress.h"
#include "data/urbansound8k.h"
#include "features/extract_batched.h"
#include "features/extractor.h"
#include "features/feature_cache.h"

namespace audify {
namespace {

std::span<const std::byte> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// Decoded within the limits and resampled to the features' rate.
Audio clip_of(std::span<const std::byte> bytes, const std::string& name,
              const FeatureOptions& options, const AudioLimits& limits) {
  return conform_audio(decode_audio_memory(bytes, name, limits), options.load, name);
}

std::vector<float> features_of(std::span<const std::byte> bytes, const std::string& name,
                               const FeatureOptions& options, const AudioLimits& limits,
                               FeatureExtractor& extractor) {
  const Audio audio = clip_of(bytes, name, options, limits);
  return summarize(extractor.mfcc(audio.samples), options);
}

void write_frames(std::span<const std::byte> bytes, const ExtractJob& job,
                  const FeatureOptions& options, const ExtractOptions& extract,
                  FeatureExtractor& extractor) {
  const Audio audio = clip_of(bytes, job.path.string(), options, extract.limits);
  const Matrix frames =
      extract.frames_log_mel ? extractor.log_mel(audio.samples) : extractor.mfcc(audio.samples);
  const std::filesystem::path name = job.labels.slice_file_name.empty()
                                         ? job.path.filename()
                                         : std::filesystem::path(job.labels.slice_file_name);
  const std::string stem = name.stem().string();
  write_npy(extract.frames_dir / (stem + ".npy"), frames);
}

}  // namespace

std::vector<ExtractJob> dataset_jobs(const Dataset& ds) {
  if (!ds.missing.empty())
    spdlog::warn("{} of {} listed clips have no audio file under {} (e.g. {})", ds.missing.size(),
                 ds.missing.size() + ds.clips.size(), ds.root.string(),
                 ds.missing.front().path.string());
  if (ds.clips.empty()) fail("{}: no audio files found for the listed clips", ds.root.string());
  std::vector<ExtractJob> jobs;
  for (const ClipInfo& c : ds.clips)
    jobs.push_back(
        {c.path, FeatureRow{c.slice_file_name, c.fs_id, c.fold, c.class_id, c.class_name, {}}});
  return jobs;
}

std::vector<ExtractJob> dataset_jobs(const std::filesystem::path& root) {
  return dataset_jobs(load_urbansound8k(root));
}

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

std::vector<float> extract_one(std::span<const std::byte> file_bytes, const std::string& name,
                               const FeatureOptions& options, const AudioLimits& limits) {
  auto extractor = make_cpu_extractor(options.mfcc);
  return features_of(file_bytes, name, options, limits, *extractor);
}

namespace {

// What every path of extract_features shares: the jobs, the cache, and one slot per job.
struct Extraction {
  const std::vector<ExtractJob>& jobs;
  const FeatureOptions& options;
  const ExtractOptions& extract;
  FeatureCache cache;
  std::size_t columns;
  std::vector<std::optional<std::vector<float>>> values;
  std::vector<std::string> errors, keys;
  std::atomic<std::size_t> hits{0};
  std::optional<Progress> progress;

  Extraction(const std::vector<ExtractJob>& j, const FeatureOptions& o, const ExtractOptions& e)
      : jobs(j),
        options(o),
        extract(e),
        cache(e.cache_dir, fingerprint(o)),
        columns(feature_columns(o).size()),
        values(j.size()),
        errors(j.size()),
        keys(j.size()) {
    if (e.progress) progress.emplace("extract", j.size());
  }
  void tick() {
    if (progress) progress->tick();
  }

  std::string read(std::size_t i) const { return read_audio_file(jobs[i].path, extract.limits); }
  // The file's bytes, or nullopt after filling values[i] from the cache.
  std::optional<std::string> read_uncached(std::size_t i) {
    std::string bytes = read(i);
    keys[i] = cache.enabled() ? FeatureCache::content_key(as_bytes(bytes)) : "";
    if (auto cached = cache.get(keys[i], columns)) {
      values[i] = std::move(cached);
      hits.fetch_add(1);
      return std::nullopt;
    }
    return bytes;
  }
  void record_failure(std::size_t i, const std::string& error) {
    errors[i] = naming_file(jobs[i].path.string(), error);
  }
  // Both backends' rows come through here: a non-finite row is the clip's error, never a row of
  // the table nor a cache entry.
  void store(std::size_t i, std::vector<float> row) {
    try {
      require_finite_features(row, options, jobs[i].path.string());
    } catch (const Error& e) {
      record_failure(i, e.what());
      return;
    }
    cache.put(keys[i], row);
    values[i] = std::move(row);
  }
};

void run_on_cpu(Extraction& x, int n_threads) {
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    auto extractor = make_cpu_extractor(x.options.mfcc);
    for (std::size_t i; (i = next.fetch_add(1)) < x.jobs.size();) {
      try {
        const std::optional<std::string> bytes = x.read_uncached(i);
        if (bytes)
          x.store(i, features_of(as_bytes(*bytes), x.jobs[i].path.string(), x.options,
                                 x.extract.limits, *extractor));
        if (!x.extract.frames_dir.empty())
          write_frames(as_bytes(bytes ? *bytes : x.read(i)), x.jobs[i], x.options, x.extract,
                       *extractor);
      } catch (const std::exception& e) {
        x.record_failure(i, e.what());
      }
      x.tick();
    }
  };
  std::vector<std::jthread> pool;
  for (int t = 0; t < n_threads; ++t) pool.emplace_back(worker);
}

// Decoding on n_threads CPU threads, the MFCCs and summaries in GPU batches.
std::size_t run_on_gpu(Extraction& x, int n_threads, Device device) {
  std::unique_ptr<BatchExtractor> gpu = make_batch_extractor(device, x.options);
  BatchedCallbacks callbacks;
  callbacks.make_loader = [&x, device]() -> ClipLoader {
    // Frame-level output (--frames) goes through the one-clip extractor of the same backend.
    auto frames = std::make_shared<std::unique_ptr<FeatureExtractor>>();
    return [&x, device, frames](std::size_t i) -> std::optional<std::vector<float>> {
      std::optional<std::string> bytes = x.read_uncached(i);
      if (!x.extract.frames_dir.empty()) {
        if (!*frames) *frames = make_extractor(device, x.options.mfcc);
        write_frames(as_bytes(bytes ? *bytes : x.read(i)), x.jobs[i], x.options, x.extract,
                     **frames);
      }
      if (!bytes) {
        x.tick();
        return std::nullopt;
      }
      return clip_of(as_bytes(*bytes), x.jobs[i].path.string(), x.options, x.extract.limits)
          .samples;
    };
  };
  callbacks.row = [&x](std::size_t i, std::vector<float> row) {
    x.store(i, std::move(row));
    x.tick();
  };
  callbacks.failed = [&x](std::size_t i, const std::string& error) {
    x.record_failure(i, error);
    x.tick();
  };
  const BatchedStats stats = extract_batched(x.jobs.size(), n_threads, *gpu, callbacks);
  spdlog::debug("extract on {}: {} batches, {:.2f} s waiting for decoded clips", gpu->backend(),
                stats.batches, stats.wait_seconds);
  return stats.batches;
}

}  // namespace

ExtractResult extract_features(const std::vector<ExtractJob>& jobs, const FeatureOptions& options,
                               const ExtractOptions& extract) {
  const auto start = std::chrono::steady_clock::now();
  make_cpu_extractor(options.mfcc);  // validates the options once, before any thread starts
  const Device device = resolve_device(extract.device);
  Extraction x(jobs, options, extract);
  const int n_threads = std::min<int>(resolve_threads(extract.threads),
                                      static_cast<int>(std::max<std::size_t>(jobs.size(), 1)));
  ExtractResult result;
  result.backend = backend_name(device);
  if (device == Device::cuda)
    result.batches = run_on_gpu(x, n_threads, device);
  else
    run_on_cpu(x, n_threads);
  if (x.progress) x.progress->finish();

  result.table.columns = feature_columns(options);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (x.values[i]) {
      FeatureRow row = jobs[i].labels;
      row.values = std::move(*x.values[i]);
      result.table.rows.push_back(std::move(row));
    } else {
      result.failures.push_back({jobs[i].path.string(), x.errors[i]});
    }
  }
  result.cache_hits = x.hits.load();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace audify
