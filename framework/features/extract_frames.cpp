#include "features/extract_frames.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "audio/audio_file.h"
#include "audio/load.h"
#include "core/error.h"
#include "core/file_error.h"
#include "core/progress.h"
#include "features/frame_features.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

// The store's cache file: the options, then every clip's path, size and mtime, hashed. The path
// is canonical (symlinks and ".." resolved), so a dataset named from another directory or through
// a link finds the same file.
fs::path cache_path(const std::vector<ExtractJob>& jobs, const FeatureOptions& options,
                    const std::string& transform, const fs::path& cache_dir) {
  std::string manifest = fingerprint(options) + "\ntransform " + transform;
  for (const ExtractJob& job : jobs) {
    std::error_code ec, path_ec;
    const auto size = fs::file_size(job.path, ec);
    const auto mtime = fs::last_write_time(job.path, ec).time_since_epoch().count();
    fs::path where = fs::weakly_canonical(fs::absolute(job.path), path_ec);
    if (path_ec) where = fs::absolute(job.path);
    manifest += fmt::format("\n{}|{}|{}", where.string(), ec ? 0 : size, ec ? 0 : mtime);
  }
  const XXH128_hash_t h = XXH3_128bits(manifest.data(), manifest.size());
  return cache_dir / "frames" / fmt::format("{:016x}{:016x}.frames", h.high64, h.low64);
}

std::string notes_of(const FrameExtraction& x) {
  nlohmann::json failures = nlohmann::json::array();
  for (const ExtractFailure& f : x.failures) failures.push_back({f.file, f.error});
  return nlohmann::json{{"jobs", x.jobs}, {"failures", failures}}.dump();
}

std::optional<FrameExtraction> load_cached(const fs::path& path, std::size_t job_count) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  try {
    FrameExtraction x;
    std::string notes;
    x.store = FrameStore::load(path, &notes);
    const auto j = nlohmann::json::parse(notes);
    x.jobs = j.at("jobs").get<std::vector<std::size_t>>();
    for (const auto& f : j.at("failures")) x.failures.push_back({f.at(0), f.at(1)});
    if (x.jobs.size() != x.store.clips() || x.jobs.size() + x.failures.size() != job_count)
      fail("{}: the store does not cover the dataset's {} clips", path.string(), job_count);
    x.from_cache = true;
    return x;
  } catch (const std::exception& e) {
    spdlog::warn("frame cache {} is unreadable, extracting again: {}", path.string(), e.what());
    return std::nullopt;
  }
}

}  // namespace

FrameExtraction extract_frames(const std::vector<ExtractJob>& jobs, const FeatureOptions& options,
                               const ExtractOptions& extract, const AudioTransform& transform) {
  if (options.summary != Summary::none)
    fail("extract_frames: features.summary must be \"none\" for frame-level features");
  const auto start = std::chrono::steady_clock::now();
  const fs::path cached = extract.cache_dir.empty()
                              ? fs::path()
                              : cache_path(jobs, options, transform.key, extract.cache_dir);
  if (!cached.empty())
    if (std::optional<FrameExtraction> hit = load_cached(cached, jobs.size())) {
      hit->seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return std::move(*hit);
    }

  make_cpu_extractor(options.mfcc);  // validates the options once, before any thread starts
  const Device device = resolve_device(extract.device);
  std::vector<std::optional<Matrix>> frames(jobs.size());
  std::vector<std::string> errors(jobs.size());
  std::optional<Progress> progress;
  if (extract.progress)
    progress.emplace(transform.key.empty() ? "frames" : "frames " + transform.key, jobs.size());
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    auto extractor = make_extractor(device, options.mfcc);
    for (std::size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      const std::string name = jobs[i].path.string();
      try {
        const std::string bytes = read_audio_file(jobs[i].path, extract.limits);
        Audio audio =
            conform_audio(decode_audio_memory(std::as_bytes(std::span(bytes.data(), bytes.size())),
                                              name, extract.limits),
                          options.load, name);
        if (transform.apply)
          audio.samples = transform.apply(audio.samples, options.load.sample_rate);
        Matrix m = frame_features(*extractor, audio.samples, options);
        require_finite_features(m.data, options, name);
        if (m.rows == 0) fail("{}: no frames (the clip is empty)", name);
        frames[i] = std::move(m);
      } catch (const std::exception& e) {
        errors[i] = naming_file(name, e.what());
      }
      if (progress) progress->tick();
    }
  };
  {
    const int threads = std::min<int>(resolve_threads(extract.threads),
                                      static_cast<int>(std::max<std::size_t>(jobs.size(), 1)));
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  }
  if (progress) progress->finish();

  const int bands = options.frames == Frames::log_mel ? options.mfcc.n_mels : options.mfcc.n_mfcc;
  FrameExtraction x;
  x.backend = std::string(backend_name(device));
  x.store = FrameStore(bands);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!frames[i]) {
      x.failures.push_back({jobs[i].path.string(), errors[i]});
      continue;
    }
    x.store.append(*frames[i]);
    x.jobs.push_back(i);
    frames[i].reset();
  }
  if (!cached.empty()) {
    try {
      x.store.save(cached, notes_of(x));
    } catch (const std::exception& e) {
      spdlog::warn("could not cache the frames: {}", e.what());
    }
  }
  x.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return x;
}

}  // namespace audify
