#include "features/extract.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "audio/load.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/progress.h"
#include "data/urbansound8k.h"
#include "features/extractor.h"
#include "features/feature_cache.h"

namespace audify {
namespace {

std::span<const std::byte> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

std::vector<float> features_of(std::span<const std::byte> bytes, const std::string& name,
                               const FeatureOptions& options, FeatureExtractor& extractor) {
  Audio audio = conform_audio(decode_audio_memory(bytes, name), options.load);
  return summarize(extractor.mfcc(audio.samples), options);
}

void write_frames(std::span<const std::byte> bytes, const ExtractJob& job,
                  const FeatureOptions& options, const ExtractOptions& extract,
                  FeatureExtractor& extractor) {
  Audio audio = conform_audio(decode_audio_memory(bytes, job.path.string()), options.load);
  const Matrix frames =
      extract.frames_log_mel ? extractor.log_mel(audio.samples) : extractor.mfcc(audio.samples);
  const std::filesystem::path name = job.labels.slice_file_name.empty()
                                         ? job.path.filename()
                                         : std::filesystem::path(job.labels.slice_file_name);
  const std::string stem = name.stem().string();
  write_npy(extract.frames_dir / (stem + ".npy"), frames);
}

}  // namespace

std::vector<ExtractJob> dataset_jobs(const std::filesystem::path& root) {
  const Dataset ds = load_urbansound8k(root);
  if (!ds.missing.empty())
    spdlog::warn("{} of {} metadata rows have no audio file under {} (e.g. {})", ds.missing.size(),
                 ds.missing.size() + ds.clips.size(), (root / "audio").string(),
                 ds.missing.front().path.string());
  if (ds.clips.empty()) fail("{}: no audio files found for the metadata rows", root.string());
  std::vector<ExtractJob> jobs;
  for (const ClipInfo& c : ds.clips)
    jobs.push_back(
        {c.path, FeatureRow{c.slice_file_name, c.fs_id, c.fold, c.class_id, c.class_name, {}}});
  return jobs;
}

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

std::vector<float> extract_one(std::span<const std::byte> file_bytes, const std::string& name,
                               const FeatureOptions& options) {
  auto extractor = make_cpu_extractor(options.mfcc);
  return features_of(file_bytes, name, options, *extractor);
}

ExtractResult extract_features(const std::vector<ExtractJob>& jobs, const FeatureOptions& options,
                               const ExtractOptions& extract) {
  const auto start = std::chrono::steady_clock::now();
  const FeatureCache cache(extract.cache_dir, fingerprint(options));
  const std::vector<std::string> columns = feature_columns(options);
  make_cpu_extractor(options.mfcc);  // validates the options once, before any thread starts

  std::vector<std::optional<std::vector<float>>> values(jobs.size());
  std::vector<std::string> errors(jobs.size());
  std::atomic<std::size_t> next{0}, hits{0};
  std::optional<Progress> progress;
  if (extract.progress) progress.emplace("extract", jobs.size());

  const auto worker = [&] {
    auto extractor = make_cpu_extractor(options.mfcc);
    for (std::size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      const std::string name = jobs[i].path.string();
      try {
        const std::string bytes = read_file(jobs[i].path);
        const std::string key = cache.enabled() ? FeatureCache::content_key(as_bytes(bytes)) : "";
        if (auto cached = cache.get(key, columns.size())) {
          values[i] = std::move(cached);
          hits.fetch_add(1);
        } else {
          values[i] = features_of(as_bytes(bytes), name, options, *extractor);
          cache.put(key, *values[i]);
        }
        if (!extract.frames_dir.empty())
          write_frames(as_bytes(bytes), jobs[i], options, extract, *extractor);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
      if (progress) progress->tick();
    }
  };
  const int n_threads = std::min<int>(resolve_threads(extract.threads),
                                      static_cast<int>(std::max<std::size_t>(jobs.size(), 1)));
  {
    std::vector<std::jthread> pool;
    for (int t = 0; t < n_threads; ++t) pool.emplace_back(worker);
  }
  if (progress) progress->finish();

  ExtractResult result;
  result.table.columns = columns;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (values[i]) {
      FeatureRow row = jobs[i].labels;
      row.values = std::move(*values[i]);
      result.table.rows.push_back(std::move(row));
    } else {
      result.failures.push_back({jobs[i].path.string(), errors[i]});
    }
  }
  result.cache_hits = hits.load();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace audify
