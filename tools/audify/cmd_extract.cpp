// `audify extract`: audio files -> feature table (CSV), on all cores, cached.
#include <fmt/format.h>

#include <cctype>
#include <map>

#include "audio_limit_options.h"
#include "commands.h"
#include "core/cache_root.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/default_dataset.h"
#include "features/extract.h"

namespace audify::cli {
namespace {

struct ExtractArgs {
  std::vector<std::string> overrides;
  std::vector<std::string> files;
  std::string out;
  int threads = 0;
  bool no_cache = false;
  std::string cache_dir;
  std::string frames_dir;
  bool frames_log_mel = false;
  std::string device;  // --device; the override device=... says the same
  AudioLimits limits;
};

// Splits `key=value` overrides into the dataset root, the other data.* keys (its layout), the
// feature set and features.* values.
struct ExtractOverrides {
  std::filesystem::path root;
  std::vector<std::pair<std::string, std::string>> data_keys;
  std::string feature_set = "mfcc40_mean";
  std::string device;
  std::vector<std::pair<std::string, std::string>> feature_keys;
};

ExtractOverrides parse_extract_overrides(const std::vector<std::string>& overrides) {
  ExtractOverrides p;
  for (const std::string& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) fail("override '{}': expected key=value", o);
    const std::string key = o.substr(0, eq), value = o.substr(eq + 1);
    if (key == "data.root") {
      p.root = value;
    } else if (key.starts_with("data.")) {
      p.data_keys.emplace_back(key.substr(5), value);
    } else if (key == "device") {
      p.device = value;
    } else if (key == "features") {
      p.feature_set = value;
    } else if (key.starts_with("features.")) {
      p.feature_keys.emplace_back(key.substr(9), value);
    } else {
      fail(
          "override '{}': unknown key '{}' (extract takes data.root, data.KEY, device, "
          "features=SET, features.KEY)",
          o, key);
    }
  }
  return p;
}

// File-name safe: letters, digits, '.', '-', '_' kept, anything else '-'.
std::string file_safe(std::string text) {
  for (char& c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '-';
  return text;
}

// outputs/features/<dataset>_<set>[_<key>-<value>...].csv: one table per dataset and feature
// options, so extracting a second dataset (or other options) does not overwrite the first's.
std::filesystem::path default_table_path(const std::string& dataset, const ExtractOverrides& p) {
  std::string name = file_safe(dataset) + "_" + file_safe(p.feature_set);
  for (const auto& [key, value] : p.feature_keys) name += "_" + file_safe(key + "-" + value);
  return std::filesystem::path("outputs") / "features" / (name + ".csv");
}

// The dataset's name for its table: its root folder's (a manifest: the CSV's stem), and the
// subset when one is chosen.
std::string dataset_name(const std::filesystem::path& root, const ExtractOverrides& p) {
  std::error_code ec;
  const std::filesystem::path full = std::filesystem::weakly_canonical(root, ec);
  const std::filesystem::path& named = ec ? root : full;
  std::string name = std::filesystem::is_regular_file(named, ec) ? named.stem().string()
                                                                 : named.filename().string();
  for (const auto& [key, value] : p.data_keys)
    if (key == "subset" && !value.empty()) name += "_" + value;
  return name.empty() ? "dataset" : name;
}

std::vector<ExtractJob> jobs_from_files(const std::vector<std::string>& files) {
  std::vector<ExtractJob> jobs;
  for (const std::string& f : files) {
    ExtractJob job{f, {}};
    job.labels.slice_file_name = std::filesystem::path(f).filename().string();
    jobs.push_back(std::move(job));
  }
  return jobs;
}

int run_extract(const ExtractArgs& args) {
  ExtractOverrides parsed = parse_extract_overrides(args.overrides);
  FeatureOptions options = load_feature_set(parsed.feature_set);
  OptionSchema schema("features");
  bind(schema, options);
  for (const auto& [key, value] : parsed.feature_keys)
    schema.apply_override(key, value, fmt::format("override 'features.{}={}'", key, value));
  finalize(options);

  std::vector<ExtractJob> jobs;
  std::filesystem::path out = args.out;
  if (!args.files.empty()) {
    if (!parsed.root.empty()) fail("give either data.root=DIR or --files, not both");
    jobs = jobs_from_files(args.files);
    if (out.empty()) out = default_table_path("files", parsed);
  } else {
    DataOptions data;
    OptionSchema data_schema("data");
    bind(data_schema, data);
    for (const auto& [key, value] : parsed.data_keys)
      data_schema.apply_override(key, value, fmt::format("override 'data.{}={}'", key, value));
    if (parsed.root.empty())
      parsed.root =
          ensure_synthetic_dataset(synthetic_dataset_root(40, 0, SynthLayout::urbansound8k));
    jobs = dataset_jobs(load_dataset(parsed.root, data));
    if (out.empty()) out = default_table_path(dataset_name(parsed.root, parsed), parsed);
  }

  ExtractOptions extract;
  extract.threads = args.threads;
  if (!args.device.empty() && !parsed.device.empty() && args.device != parsed.device)
    fail("--device {} and device={} disagree", args.device, parsed.device);
  extract.device = parse_device(!args.device.empty()     ? args.device
                                : !parsed.device.empty() ? parsed.device
                                                         : "cpu");
  if (!args.no_cache)
    extract.cache_dir =
        args.cache_dir.empty() ? user_cache_root() : std::filesystem::path(args.cache_dir);
  extract.frames_dir = args.frames_dir;
  extract.frames_log_mel = args.frames_log_mel;
  extract.limits = args.limits;
  const ExtractResult result = extract_features(jobs, options, extract);
  if (!result.table.rows.empty()) write_feature_table(out, result.table);

  std::map<std::string, int> per_class;
  for (const FeatureRow& r : result.table.rows)
    per_class[r.class_name.empty() ? "(unlabelled)" : r.class_name]++;
  fmt::print(
      "extracted {} of {} clips in {:.2f} s ({:.0f} clips/s, {} threads, {} from cache) on {}{}\n",
      result.table.rows.size(), jobs.size(), result.seconds,
      static_cast<double>(jobs.size()) / std::max(result.seconds, 1e-9),
      resolve_threads(args.threads), result.cache_hits, result.backend,
      result.batches > 0 ? fmt::format(" ({} batches)", result.batches) : "");
  fmt::print("features: {} columns ({} .. {}), resampler {}\n", result.table.columns.size(),
             result.table.columns.front(), result.table.columns.back(),
             resampler_name(options.load.resampler));
  for (const auto& [name, count] : per_class) fmt::print("  {:<18} {}\n", name, count);
  if (!result.table.rows.empty()) fmt::print("wrote {}\n", out.string());
  if (!result.failures.empty()) {
    fmt::print(stderr, "{} file(s) failed:\n", result.failures.size());
    for (const auto& f : result.failures) fmt::print(stderr, "  {}\n", f.error);
    return 1;
  }
  return 0;
}

}  // namespace

void add_extract_command(CLI::App& app) {
  auto args = std::make_shared<ExtractArgs>();
  CLI::App* cmd = app.add_subcommand(
      "extract",
      "Extract features from a dataset (data.layout: urbansound8k, esc50, folders, manifest) or "
      "from files into a feature table CSV.\n"
      "  audify extract data.root=DIR [data.layout=esc50] [device=cpu|cuda|auto] "
      "[features=mfcc40_mean] [features.KEY=VALUE ...]\n"
      "  audify extract --files a.wav b.flac --out features.csv\n"
      "Without data.root the embedded synthetic dataset is used (generated on first use).");
  cmd->add_option("overrides", args->overrides,
                  "data.root=DIR, device=cpu|cuda|auto, features=SET, features.KEY=VALUE");
  cmd->add_option("--device", args->device,
                  "cpu (default), cuda (batched on the GPU; an error without one) or auto (cuda "
                  "when usable); AUDIFY_CUDA_EMULATE=1 makes cuda the GPU pipeline in host "
                  "emulation");
  cmd->add_option("--files", args->files,
                  "audio files to extract without metadata (labels left empty)");
  cmd->add_option("-o,--out", args->out,
                  "output CSV (default outputs/features/<dataset>_<set>.csv, <dataset> the "
                  "data.root folder's name, `files` with --files; features.KEY=VALUE overrides "
                  "are added to the name)");
  cmd->add_option("-j,--threads", args->threads, "worker threads (default: all cores)");
  cmd->add_flag("--no-cache", args->no_cache, "ignore and do not fill the feature cache");
  cmd->add_option("--cache-dir", args->cache_dir, "feature cache folder (default ~/.cache/audify)");
  cmd->add_option("--frames", args->frames_dir,
                  "also write each clip's frame-level matrix as DIR/<clip>.npy (frames x n_mfcc)");
  cmd->add_flag("--log-mel", args->frames_log_mel,
                "with --frames: write log-mel (frames x n_mels) instead");
  add_audio_limit_options(*cmd, args->limits, "the file fails", "the file fails");
  cmd->callback([args] {
    const int status = run_extract(*args);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace audify::cli
