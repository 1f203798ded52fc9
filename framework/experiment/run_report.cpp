// Report files of a run. Numbers are written with full precision so two runs of one config compare
// equal byte for byte except for timings, dates and the commit.
#include "experiment/run_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/version.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/csv.h"
#include "experiment/run_dir.h"

namespace audify {
namespace {

using nlohmann::json;

json per_class_json(const ClassificationMetrics& m, const std::vector<std::string>& names) {
  json out = json::object();
  for (std::size_t c = 0; c < m.per_class.size(); ++c) {
    const ClassMetrics& k = m.per_class[c];
    out[c < names.size() ? names[c] : fmt::format("class{}", c)] = {
        {"precision", k.precision}, {"recall", k.recall}, {"f1", k.f1}, {"support", k.support}};
  }
  return out;
}

json leak_json(const LeakFigure& leak) {
  return {{"test_clips", leak.test_clips},
          {"test_clips_with_sibling_in_train", leak.test_clips_with_sibling_in_train},
          {"clip_fraction", leak.clip_fraction()},
          {"test_recordings", leak.test_recordings},
          {"test_recordings_in_train", leak.test_recordings_in_train},
          {"purged_train_clips", leak.purged_train_clips},
          {"test_clips_with_sibling_before_purge", leak.test_clips_with_sibling_before_purge},
          {"clip_fraction_before_purge", leak.clip_fraction_before_purge()}};
}

// Clips of each class on one side (the evaluated rows' support) and their share of that side.
json class_balance_json(const ClassificationMetrics& m, const std::vector<std::string>& names) {
  json counts = json::object(), shares = json::object();
  for (std::size_t c = 0; c < m.per_class.size(); ++c) {
    const std::string name = c < names.size() ? names[c] : fmt::format("class{}", c);
    counts[name] = m.per_class[c].support;
    shares[name] = m.count ? double(m.per_class[c].support) / m.count : 0.0;
  }
  return {{"clips", counts}, {"proportion", shares}};
}

// mean, std and per-split values of one number.
template <typename Get>
json aggregate(const std::vector<SplitResult>& splits, Get get) {
  std::vector<double> values;
  for (const SplitResult& s : splits) values.push_back(get(s));
  const MeanStd ms = mean_std(values);
  return {
      {"mean", ms.mean}, {"std", ms.std}, {"ci95", {ms.ci95_low, ms.ci95_high}}, {"folds", values}};
}

json history_summary(const RunReport& r) {
  json out = json::object();
  if (r.history.empty()) return out;
  const HistoryRow& last = r.history.back();
  auto best = std::max_element(
      r.history.begin(), r.history.end(),
      [](const HistoryRow& a, const HistoryRow& b) { return a.test_accuracy < b.test_accuracy; });
  std::vector<int> epochs;
  for (const SplitResult& s : r.splits) epochs.push_back(s.epochs_run);
  out["epochs_run"] = epochs;
  out["final_loss"] = last.loss;
  out["final_train_accuracy"] = last.train_accuracy;
  out["final_test_accuracy"] = last.test_accuracy;
  out["best_test_accuracy"] = best->test_accuracy;
  out["best_epoch"] = best->epoch;
  out["best_split"] = best->split;
  out["file"] = "history.csv";
  return out;
}

}  // namespace

std::string describe_features(const FeatureOptions& o, const std::string& table_path,
                              std::size_t columns) {
  if (!table_path.empty())
    return fmt::format("{} columns read from the feature table {}", columns,
                       std::filesystem::path(table_path).filename().string());
  const int n_mfcc = o.mfcc.n_mfcc;
  if (o.summary == Summary::none)
    return o.frames == Frames::log_mel
               ? fmt::format("frame-level: {} log-mel bands per frame (hop {} samples at {} Hz)",
                             o.mfcc.n_mels, o.mfcc.hop_length, o.load.sample_rate)
               : fmt::format("frame-level: {} MFCCs per frame (hop {} samples at {} Hz)", n_mfcc,
                             o.mfcc.hop_length, o.load.sample_rate);
  if (o.summary == Summary::mean)
    return fmt::format("{} columns: the mean over frames of {} MFCCs ({} mel bands)", columns,
                       n_mfcc, o.mfcc.n_mels);
  std::string text = fmt::format("{} columns: {} statistics x {} MFCCs ({} mel bands; {})", columns,
                                 o.stats.size(), n_mfcc, o.mfcc.n_mels, fmt::join(o.stats, ", "));
  // Salamon et al. 2014 list 11 statistics of 25 MFCCs but print 225 as the dimension.
  if (o.stats.size() == 11 && n_mfcc == 25) text += "; the paper prints 225";
  return text;
}

json metrics_json(const RunReport& r) {
  json m;
  m["experiment"] = r.experiment;
  m["status"] = "complete";
  m["data"] = {{"source", r.data_source},
               {"clips", r.clips},
               {"features", r.features},
               {"feature_description", r.feature_description},
               {"classes", r.class_names}};
  m["model"] = {{"kind", r.model_kind},
                {"file", "model.safetensors"},
                {"saved", r.model_note},
                {"trained_on", r.model_trained_on}};
  if (r.parameters > 0) m["model"]["parameters"] = r.parameters;
  const json train_acc = aggregate(r.splits, [](const SplitResult& s) { return s.train.accuracy; });
  const json test_acc = aggregate(r.splits, [](const SplitResult& s) { return s.test.accuracy; });
  const json test_f1 = aggregate(r.splits, [](const SplitResult& s) { return s.test.macro_f1; });
  m["train"] = {{"accuracy", train_acc["mean"]},
                {"accuracy_std", train_acc["std"]},
                {"folds", train_acc["folds"]}};
  m["test"] = {{"accuracy", test_acc["mean"]},
               {"accuracy_std", test_acc["std"]},
               {"accuracy_std_ddof", 1},
               {"accuracy_ci95", test_acc["ci95"]},
               {"folds", test_acc["folds"]},
               {"macro_f1", test_f1["mean"]},
               {"macro_f1_std", test_f1["std"]},
               {"macro_f1_folds", test_f1["folds"]},
               {"pooled_accuracy", r.pooled.accuracy},
               {"pooled_macro_f1", r.pooled.macro_f1},
               {"count", r.pooled.count},
               {"per_class", per_class_json(r.pooled, r.class_names)},
               {"confusion", r.pooled.confusion}};

  LeakFigure total;
  json folds = json::array();
  for (const SplitResult& s : r.splits) {
    total.test_clips += s.leak.test_clips;
    total.test_clips_with_sibling_in_train += s.leak.test_clips_with_sibling_in_train;
    total.test_recordings += s.leak.test_recordings;
    total.test_recordings_in_train += s.leak.test_recordings_in_train;
    total.purged_train_clips += s.leak.purged_train_clips;
    total.test_clips_with_sibling_before_purge += s.leak.test_clips_with_sibling_before_purge;
    folds.push_back(
        {{"name", s.name},
         {"test_fold", s.test_fold},
         {"train_accuracy", s.train.accuracy},
         {"test_accuracy", s.test.accuracy},
         {"test_macro_f1", s.test.macro_f1},
         {"train_clips", s.train.count},
         {"test_clips", s.test.count},
         {"epochs_run", s.epochs_run},
         {"stopped_early", s.stopped_early},
         {"validation_accuracy",
          std::isnan(s.validation_accuracy) ? json(nullptr) : json(s.validation_accuracy)},
         {"leak", leak_json(s.leak)},
         {"classes",
          {{"train", class_balance_json(s.train, r.class_names)},
           {"test", class_balance_json(s.test, r.class_names)}}},
         {"test_metrics", to_json(s.test, r.class_names)}});
  }
  m["split"] = {{"kind", r.split_kind}, {"splits", r.splits.size()}};
  if (!r.split_note.empty()) m["split"]["note"] = r.split_note;
  std::vector<double> validation;
  for (const SplitResult& s : r.splits)
    if (!std::isnan(s.validation_accuracy)) validation.push_back(s.validation_accuracy);
  if (!validation.empty() && validation.size() == r.splits.size()) {
    const MeanStd v = mean_std(validation);
    m["validation"] = {{"accuracy", v.mean}, {"accuracy_std", v.std}, {"folds", validation}};
  }
  m["folds"] = folds;
  m["leak"] = leak_json(total);
  m["history"] = history_summary(r);
  m["seconds"] = {{"dataset", r.seconds.dataset},   {"extract", r.seconds.extract},
                  {"split", r.seconds.split},       {"train", r.seconds.train},
                  {"evaluate", r.seconds.evaluate}, {"write", r.seconds.write},
                  {"total", r.seconds.total}};
  m["device"] = r.device;
  m["git_commit"] = git_commit();
  m["versions"] = {
      {"audify", AUDIFY_VERSION},
      {"fmt",
       fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      {"spdlog", fmt::format("{}.{}.{}", SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH)},
      {"tomlplusplus", fmt::format("{}.{}.{}", TOML_LIB_MAJOR, TOML_LIB_MINOR, TOML_LIB_PATCH)},
      {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                    NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)}};
  m["finished_at"] = timestamp_now();
  return m;
}

std::string predictions_csv(const FeatureTable& table, const std::vector<std::string>& names,
                            const std::vector<PredictionRow>& rows) {
  std::string out = "file,fold,true,true_class,predicted,predicted_class";
  for (const std::string& n : names) out += "," + csv::escape("p_" + n);
  out += '\n';
  std::vector<PredictionRow> sorted = rows;
  std::sort(sorted.begin(), sorted.end(),
            [](const PredictionRow& a, const PredictionRow& b) { return a.row < b.row; });
  for (const PredictionRow& p : sorted) {
    const FeatureRow& r = table.rows[p.row];
    out +=
        fmt::format("{},{},{},{},{},{}", csv::escape(r.slice_file_name), r.fold, r.class_id,
                    csv::escape(names[r.class_id]), p.predicted, csv::escape(names[p.predicted]));
    for (float v : p.probabilities) out += fmt::format(",{:.6g}", v);
    out += '\n';
  }
  return out;
}

std::string history_csv(const std::vector<HistoryRow>& rows, bool with_fold) {
  std::string out = with_fold ? "epoch,loss,train_acc,test_acc,train_acc_running,fold\n"
                              : "epoch,loss,train_acc,test_acc,train_acc_running\n";
  for (const HistoryRow& h : rows) {
    out += fmt::format("{},{:.17g},{:.17g},{:.17g},{:.17g}", h.epoch, h.loss, h.train_accuracy,
                       h.test_accuracy, h.train_accuracy_running);
    if (with_fold) out += "," + csv::escape(h.split);
    out += '\n';
  }
  return out;
}

}  // namespace audify
