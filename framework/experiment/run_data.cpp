// Audio goes through extract_features with the shared feature cache, so a second run (or every
// point of a multirun) pays for extraction once.
#include "experiment/run_data.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "augment/audio_deformations.h"
#include "core/cache_root.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/default_dataset.h"
#include "features/extract.h"
#include "features/extract_frames.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

// A feature table's classes: max classID + 1, named by the table's class column where it has
// one (a table written by `audify extract` always does), else class<N>.
std::vector<std::string> class_names_of(const FeatureTable& table) {
  int classes = 0;
  for (const FeatureRow& r : table.rows) classes = std::max(classes, r.class_id + 1);
  std::vector<std::string> names(static_cast<std::size_t>(classes));
  for (const FeatureRow& r : table.rows)
    if (names[r.class_id].empty() && !r.class_name.empty()) names[r.class_id] = r.class_name;
  for (int c = 0; c < classes; ++c)
    if (names[c].empty()) names[c] = fmt::format("class{}", c);
  return names;
}

// Each audio variant's frames of the clips that extracted (rows of the frame table), one cached
// store per variant.
std::shared_ptr<const FrameVariants> audio_variants_of(const std::vector<ExtractJob>& jobs,
                                                       const std::vector<std::size_t>& rows,
                                                       const RunConfig& c,
                                                       const ExtractOptions& extract) {
  std::vector<ExtractJob> kept;
  for (std::size_t job : rows) kept.push_back(jobs[job]);
  auto variants = std::make_shared<FrameVariants>();
  for (const AudioTransform& t : audio_variants(c.augment)) {
    FrameExtraction x = extract_frames(kept, c.features, extract, t);
    for (const ExtractFailure& f : x.failures)
      spdlog::warn("variant {} failed: {}: {}", t.key, f.file, f.error);
    spdlog::info("variant {}: {} clips in {:.2f} s{}", t.key, x.store.clips(), x.seconds,
                 x.from_cache ? " (from the frame cache)" : "");
    std::vector<std::ptrdiff_t> clip_of(kept.size(), -1);
    for (std::size_t i = 0; i < x.jobs.size(); ++i)
      clip_of[x.jobs[i]] = static_cast<std::ptrdiff_t>(i);
    variants->names.push_back(t.key);
    variants->stores.push_back(std::move(x.store));
    variants->clip_of.push_back(std::move(clip_of));
  }
  return variants;
}

// The frames of every clip (features/extract_frames.h), and a table of their labels, row i for
// clip i of data.frames.
FeatureTable frame_table(const std::vector<ExtractJob>& jobs, const RunConfig& c,
                         const ExtractOptions& extract, RunData& data) {
  const FeatureOptions& features = c.features;
  spdlog::info("extracting frame-level features of {} clips", jobs.size());
  FrameExtraction x = extract_frames(jobs, features, extract);
  for (const ExtractFailure& f : x.failures)
    spdlog::warn("extraction failed: {}", f.error);  // the error names its file
  spdlog::info(
      "{} clips' frames in {:.2f} s ({}; {:.1f} MB, {:.1f} KB per clip)", x.store.clips(),
      x.seconds, x.from_cache ? "from the frame cache" : "extracted on " + x.backend,
      x.store.bytes() / 1e6,
      x.store.clips() ? x.store.bytes() / 1e3 / static_cast<double>(x.store.clips()) : 0.0);
  FeatureTable table;
  for (std::size_t job : x.jobs) table.rows.push_back(jobs[job].labels);
  if (c.augment.has_variants()) data.variants = audio_variants_of(jobs, x.jobs, c, extract);
  data.failures = x.failures.size();
  data.cache_hits = x.from_cache ? x.store.clips() : 0;
  data.frames = std::make_shared<const FrameStore>(std::move(x.store));
  return table;
}

}  // namespace

void check_run_data(const RunConfig& c) {
  const DataOptions& d = c.data;
  std::error_code ec;
  if (!d.features.empty()) {
    try {
      require_feature_table_file(d.features);
    } catch (const Error& e) {
      fail("data.features: {}", e.what());
    }
  } else if (!d.root.empty()) {
    const bool manifest_file = d.layout == "manifest" && fs::is_regular_file(d.root, ec);
    if (!manifest_file && !fs::is_directory(d.root, ec))
      fail("data.root: {} is not a folder", d.root);
  } else if (d.layout != "urbansound8k" && d.layout != "esc50") {
    fail("data.root: the {} layout has no synthetic dataset; name the dataset's root", d.layout);
  } else if (d.clips_per_class <= 0) {
    fail("data.clips_per_class: {} must be > 0 for the synthetic dataset (data.root = \"\")",
         d.clips_per_class);
  }
}

fs::path dataset_root(const RunConfig& c) {
  check_run_data(c);
  if (!c.data.root.empty()) return c.data.root;
  const long long seed = static_cast<long long>(c.data.seed) + c.seed;
  const bool esc50 = c.data.layout == "esc50";
  const SynthLayout layout = esc50 ? SynthLayout::esc50 : SynthLayout::urbansound8k;
  const auto generator_seed = static_cast<unsigned long long>(seed);
  return ensure_synthetic_dataset(
      synthetic_dataset_root(c.data.clips_per_class, generator_seed, layout),
      c.data.clips_per_class, generator_seed, layout);
}

RunData load_run_data(const RunConfig& c, bool progress) {
  RunData data;
  FeatureTable table;
  if (!c.data.features.empty()) {
    data.source = c.data.features;
    spdlog::info("reading the feature table {}", c.data.features);
    table = read_feature_table(c.data.features);
  } else {
    const auto start = std::chrono::steady_clock::now();
    const fs::path root = dataset_root(c);
    data.dataset_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    data.source = root.string();
    const Dataset dataset = load_dataset(root, c.data);
    data.class_names = dataset.class_names;
    const std::vector<ExtractJob> jobs = dataset_jobs(dataset);
    ExtractOptions extract;
    extract.cache_dir = user_cache_root();
    extract.progress = progress;
    extract.device =
        parse_device(c.device);  // features on the GPU when device=cuda (or auto finds one)
    if (c.features.summary == Summary::none) {
      table = frame_table(jobs, c, extract, data);
    } else {
      spdlog::info("extracting features of {} clips from {}", jobs.size(), root.string());
      ExtractResult result = extract_features(jobs, c.features, extract);
      for (const ExtractFailure& f : result.failures)
        spdlog::warn("extraction failed: {}", f.error);  // the error names its file
      spdlog::info("extracted {} clips in {:.2f} s ({} from the cache)", result.table.rows.size(),
                   result.seconds, result.cache_hits);
      data.failures = result.failures.size();
      data.cache_hits = result.cache_hits;
      table = std::move(result.table);
    }
  }
  data.table.columns = std::move(table.columns);
  std::vector<std::size_t> labelled;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    if (table.rows[i].class_id < 0) {
      ++data.unlabelled;
      continue;
    }
    labelled.push_back(i);
    data.table.rows.push_back(std::move(table.rows[i]));
  }
  if (data.frames && labelled.size() != data.frames->clips()) {
    data.frames = std::make_shared<const FrameStore>(data.frames->subset(labelled));
    if (data.variants) {
      auto kept = std::make_shared<FrameVariants>(*data.variants);
      for (auto& clip_of : kept->clip_of) {
        std::vector<std::ptrdiff_t> rows;
        for (std::size_t i : labelled) rows.push_back(clip_of[i]);
        clip_of = std::move(rows);
      }
      data.variants = kept;
    }
  }
  if (data.unlabelled)
    spdlog::warn("{}: {} rows without a classID left out", data.source, data.unlabelled);
  if (data.table.rows.empty()) fail("{}: no labelled rows to train on", data.source);
  if (data.class_names.empty()) data.class_names = class_names_of(data.table);
  if (data.classes() < 2)
    fail("{}: one class only (classID {}); training needs two or more", data.source,
         data.classes() - 1);
  return data;
}

}  // namespace audify
