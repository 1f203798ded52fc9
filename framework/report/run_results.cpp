// Reads a run directory back. Only metrics.json is required; history.csv and overrides.txt are
// optional, so a report still renders for runs written before they existed.
#include "report/run_results.h"

#include <fmt/format.h>

#include <toml++/toml.h>

#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "augment/augment_options.h"
#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "data/urbansound8k.h"
#include "experiment/model_factory.h"
#include "experiment/run_dir.h"
#include "report/test_sets.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

double number(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string text(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

const json& child(const json& j, const char* key) {
  static const json kEmpty = json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() ? *it : kEmpty;
}

std::vector<std::string> lines_of(const std::string& content) {
  std::vector<std::string> lines;
  std::istringstream in(content);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

KeyValues read_overrides(const fs::path& path) {
  KeyValues out;
  if (!fs::exists(path)) return out;
  for (const std::string& line : lines_of(read_file(path))) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

// history.csv: epoch,loss,train_acc,test_acc[,fold]; columns are found by name.
std::vector<EpochRow> read_history(const fs::path& path) {
  std::vector<EpochRow> rows;
  if (!fs::exists(path)) return rows;
  const std::vector<std::string> lines = lines_of(read_file(path));
  if (lines.empty()) return rows;
  const std::vector<std::string> header = csv::split_line(lines[0]);
  auto column = [&](const std::string& name) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  };
  const int epoch = column("epoch"), loss = column("loss"), train = column("train_acc"),
            test = column("test_acc"), fold = column("fold");
  const bool dropout_off = column("train_acc_running") >= 0;
  if (epoch < 0 || train < 0 || test < 0)
    fail("{}: expected epoch,train_acc,test_acc columns", path.string());
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = csv::split_line(lines[i]);
    EpochRow r;
    const auto ok = [&](int c) { return c >= 0 && c < static_cast<int>(f.size()); };
    if (!ok(epoch) || !csv::parse_int(f[epoch], r.epoch) || !ok(train) ||
        !csv::parse_double(f[train], r.train_accuracy) || !ok(test) ||
        !csv::parse_double(f[test], r.test_accuracy))
      fail("{}: line {} is not a history row", path.string(), i + 1);
    if (ok(loss)) csv::parse_double(f[loss], r.loss);
    if (ok(fold)) r.split = f[fold];
    r.train_dropout_off = dropout_off;
    rows.push_back(r);
  }
  return rows;
}

// config.toml, or an empty table for runs copied without it or with one that does not parse.
toml::table read_config(const fs::path& path) {
  if (!fs::is_regular_file(path)) return {};
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error&) {
    return {};
  }
}

// The config's model table, and the train table for the models that train by epochs (the
// baselines ignore it).
KeyValues read_hyperparameters(const toml::table& config, const std::string& model_kind) {
  KeyValues out;
  const bool epochs = model_kind == "mlp" || model_kind == "sb_cnn" || model_kind == "cnn";
  for (const char* group : {"model", "train"}) {
    if (std::string(group) == "train" && !epochs) continue;
    const toml::table* t = config[group].as_table();
    if (!t) continue;
    for (const auto& [key, value] : *t) {
      std::ostringstream text;
      if (const auto* str = value.as_string())
        text << str->get();
      else
        value.visit([&text](const auto& v) { text << v; });
      out.emplace_back(fmt::format("{}.{}", group, key.str()), text.str());
    }
  }
  return out;
}

// What the config's augment table did to the training clips, for the frame-level models (the
// only ones the runner lets it apply to): a run's label holds its overrides, which do not say what
// an experiment file set.
std::string read_augmentation(const toml::table& config, const std::string& model_kind) {
  const ModelKind* kind = find_model_kind(model_kind);
  if (!kind || !kind->frame_level) return "—";
  if (config.empty()) return "unknown (no config.toml)";
  const toml::table* t = config["augment"].as_table();
  if (!t) return "none";  // written before Audify had augmentation
  AugmentOptions options;
  try {
    OptionSchema schema("augment");
    bind(schema, options);
    schema.apply(*t, "config.toml");
  } catch (const Error& e) {  // a key of another version of Audify
    return "unknown (config.toml's augment table: " + std::string(e.what()) + ")";
  }
  return describe(options);
}

}  // namespace

double validation_accuracy(const RunResults& run) {
  if (run.folds.empty()) return -1;
  double sum = 0;
  for (const FoldScore& f : run.folds) {
    if (f.validation_accuracy < 0) return -1;
    sum += f.validation_accuracy;
  }
  return sum / static_cast<double>(run.folds.size());
}

bool is_run_dir(const fs::path& dir) {
  return fs::is_regular_file(dir / "metrics.json");
}
bool is_multirun_dir(const fs::path& dir) {
  return fs::is_regular_file(dir / "summary.csv");
}

std::optional<std::string> unfinished_run(const fs::path& dir) {
  if (is_run_dir(dir)) return std::nullopt;
  if (fs::is_regular_file(dir / kFailedFile)) {
    std::string error = read_file(dir / kFailedFile);
    error = error.substr(0, error.find('\n'));
    return "failed: " + error;
  }
  if (fs::is_regular_file(dir / "config.toml")) return "unfinished (no metrics.json)";
  return std::nullopt;
}

RunResults load_run_results(const fs::path& dir) {
  if (!fs::is_directory(dir)) fail("{}: not a directory", dir.string());
  if (!is_run_dir(dir))
    fail("{}: not a run directory (no metrics.json; expected a folder written by `audify run`)",
         dir.string());
  const fs::path metrics_path = dir / "metrics.json";
  json m;
  try {
    m = json::parse(read_file(metrics_path));
  } catch (const json::exception& e) {
    fail("{}: not valid JSON ({})", metrics_path.string(), e.what());
  }
  if (!m.is_object() || !m.contains("test")) fail("{}: no `test` results", metrics_path.string());

  RunResults r;
  r.dir = dir;
  r.label = dir.filename().string();
  r.experiment = text(m, "experiment");
  // A named experiment's run is shown as experiment/folder, so a table says which model it is.
  if (!r.experiment.empty() && r.experiment != "default" &&
      dir.parent_path().filename() == r.experiment)
    r.label = r.experiment + "/" + r.label;
  r.split_kind = text(child(m, "split"), "kind");
  r.model_kind = text(child(m, "model"), "kind");
  r.parameters = static_cast<long long>(number(child(m, "model"), "parameters"));
  r.device = text(m, "device");
  r.commit = text(m, "git_commit");
  r.finished_at = text(m, "finished_at");
  r.data_source = text(child(m, "data"), "source");
  r.clips = static_cast<int>(number(child(m, "data"), "clips"));
  r.features = static_cast<int>(number(child(m, "data"), "features"));
  r.feature_description = text(child(m, "data"), "feature_description");
  r.split_note = text(child(m, "split"), "note");
  r.model_note = text(child(m, "model"), "saved");
  const toml::table config = read_config(dir / "config.toml");
  r.hyperparameters = read_hyperparameters(config, r.model_kind);
  r.augmentation = read_augmentation(config, r.model_kind);
  const json& train = child(m, "train");
  const json& test = child(m, "test");
  r.train_accuracy = number(train, "accuracy");
  r.train_accuracy_std = number(train, "accuracy_std");
  r.test_accuracy = number(test, "accuracy");
  r.test_accuracy_std = number(test, "accuracy_std");
  r.macro_f1 = number(test, "macro_f1");
  r.leak_fraction = number(child(m, "leak"), "clip_fraction");
  r.leak_fraction_before_purge = number(child(m, "leak"), "clip_fraction_before_purge");
  r.purged_train_clips = static_cast<int>(number(child(m, "leak"), "purged_train_clips"));

  const json& folds = child(m, "folds").is_array() ? child(m, "folds") : json::array();
  for (const json& f : folds) {
    FoldScore score;
    score.name = text(f, "name");
    score.train_accuracy = number(f, "train_accuracy");
    score.test_accuracy = number(f, "test_accuracy");
    score.test_macro_f1 = number(f, "test_macro_f1");
    score.leak_fraction = number(child(f, "leak"), "clip_fraction");
    score.leak_fraction_before_purge = number(child(f, "leak"), "clip_fraction_before_purge");
    score.purged_train_clips = static_cast<int>(number(child(f, "leak"), "purged_train_clips"));
    const json& validation = child(f, "validation_accuracy");
    if (validation.is_number()) score.validation_accuracy = validation.get<double>();
    r.folds.push_back(std::move(score));
  }
  for (const json& c : child(child(m, "data"), "classes").is_array()
                           ? child(child(m, "data"), "classes")
                           : json::array())
    if (c.is_string()) r.class_names.push_back(c.get<std::string>());
  const json& confusion = child(test, "confusion");
  if (confusion.is_array())
    for (const json& row : confusion) {
      std::vector<int> cells;
      for (const json& v : row) cells.push_back(v.is_number() ? v.get<int>() : 0);
      r.confusion.push_back(std::move(cells));
    }
  // Per-class scores keep the order of the class list, not the JSON object's (sorted) key order.
  const json& per_class = child(test, "per_class");
  const std::vector<std::string> names = class_labels(r);
  for (const std::string& name : names) {
    if (!per_class.contains(name)) continue;
    const json& k = per_class[name];
    r.per_class.push_back({name, number(k, "precision"), number(k, "recall"), number(k, "f1"),
                           static_cast<int>(number(k, "support"))});
  }
  // Clips per class on each side of every split (metrics.json's folds[].classes), class order.
  for (std::size_t i = 0; i < r.folds.size(); ++i) {
    const json& classes = child(folds[i], "classes");
    for (const std::string& name : names) {
      r.folds[i].train_class_clips.push_back(
          static_cast<int>(number(child(child(classes, "train"), "clips"), name.c_str())));
      r.folds[i].test_class_clips.push_back(
          static_cast<int>(number(child(child(classes, "test"), "clips"), name.c_str())));
    }
  }
  std::vector<int> test_clips;
  for (const FoldScore& f : r.folds)
    test_clips.push_back(std::accumulate(f.test_class_clips.begin(), f.test_class_clips.end(), 0));
  const std::vector<std::string> digests = test_set_digests(dir / "predictions.csv", test_clips);
  for (std::size_t i = 0; i < digests.size(); ++i) r.folds[i].test_set = digests[i];
  const json& s = child(m, "seconds");
  r.seconds_dataset = number(s, "dataset");
  r.seconds_extract = number(s, "extract");
  r.seconds_split = number(s, "split");
  r.seconds_train = number(s, "train");
  r.seconds_write = number(s, "write");
  r.seconds_evaluate = number(s, "evaluate");
  r.seconds_total = number(s, "total");
  r.history = read_history(dir / "history.csv");
  r.overrides = read_overrides(dir / "overrides.txt");
  return r;
}

MultirunResults load_multirun_results(const fs::path& dir) {
  if (!is_multirun_dir(dir)) fail("{}: not a multirun directory (no summary.csv)", dir.string());
  const fs::path summary = dir / "summary.csv";
  const std::vector<std::string> lines = lines_of(read_file(summary));
  if (lines.empty()) fail("{}: empty", summary.string());
  const std::vector<std::string> header = csv::split_line(lines[0]);
  // index,dir,<swept keys...>,train_accuracy,...
  if (header.size() < 3 || header[0] != "index" || header[1] != "dir")
    fail("{}: expected a header starting with index,dir", summary.string());
  MultirunResults out;
  out.dir = dir;
  std::size_t end = 2;
  while (end < header.size() && header[end] != "train_accuracy")
    out.swept_keys.push_back(header[end++]);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = csv::split_line(lines[i]);
    if (f.size() < end) fail("{}: line {} has too few fields", summary.string(), i + 1);
    const fs::path point = dir / f[1];
    if (!is_run_dir(point)) {
      out.missing.push_back(f[1]);
      continue;
    }
    RunResults r = load_run_results(point);
    r.label = fmt::format("{}/{}", dir.filename().string(), f[1]);
    for (std::size_t k = 0; k < out.swept_keys.size(); ++k)
      r.swept.emplace_back(out.swept_keys[k], f[2 + k]);
    out.points.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> class_labels(const RunResults& run) {
  const std::size_t n = run.confusion.empty() ? run.class_names.size() : run.confusion.size();
  if (run.class_names.size() == n && n > 0) return run.class_names;
  std::vector<std::string> out;
  if (n == kUrbanSoundClasses.size()) {
    for (std::string_view c : kUrbanSoundClasses) out.emplace_back(c);
    return out;
  }
  for (std::size_t c = 0; c < n; ++c) out.push_back(fmt::format("class{}", c));
  return out;
}

}  // namespace audify
