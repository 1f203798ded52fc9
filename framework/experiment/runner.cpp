// The training loop over splits. Each split gets a fresh model from the factory (same seed, so
// folds differ only by their data); test accuracy is measured after every epoch for history.csv.
// All splits' models train in one fit_together call, so a device trainer runs the k-fold folds
// concurrently; results are then evaluated split by split, in order.
#include "experiment/runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "config/paths.h"
#include "config/toml_writer.h"
#include "core/atomic_file.h"
#include "core/elapsed.h"
#include "core/error.h"
#include "experiment/model_factory.h"
#include "experiment/run_data.h"
#include "experiment/run_dir.h"
#include "experiment/run_report.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

// The rows' examples: feature rows copied out of the table, or the frame store's clips by index.
void gather(const RunData& data, const std::vector<int>& rows, Examples& x, std::vector<int>& y) {
  const FeatureTable& table = data.table;
  y.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) y[i] = table.rows[rows[i]].class_id;
  if (data.frames) {
    x = Examples::of_frames(*data.frames, {rows.begin(), rows.end()});
    return;
  }
  Matrix m(rows.size(), table.columns.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const FeatureRow& r = table.rows[rows[i]];
    std::copy(r.values.begin(), r.values.end(), m.row(i).begin());
  }
  x = Examples::of_rows(std::move(m));
}

std::vector<int> argmax_rows(const Matrix& p) {
  std::vector<int> out(p.rows);
  for (std::size_t r = 0; r < p.rows; ++r) {
    const auto row = p.row(r);
    out[r] = static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return out;
}

double accuracy(const std::vector<int>& truth, const std::vector<int>& predicted) {
  if (truth.empty()) return 0.0;
  std::size_t hits = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) hits += truth[i] == predicted[i];
  return static_cast<double>(hits) / static_cast<double>(truth.size());
}

std::string split_kind_name(SplitKind kind) {
  switch (kind) {
    case SplitKind::random:
      return "random";
    case SplitKind::grouped:
      return "grouped";
    case SplitKind::kfold:
      return "kfold";
    case SplitKind::fold_holdout:
      return "fold_holdout";
  }
  return "unknown";
}

// One split's data, model and results, held from gathering to evaluation. Every split's matrices
// are held at once (fit_together needs them all): for UrbanSound8K's 10 folds of 8732 clips that is
// about 10 x 8732 x features x 4 bytes, 14 MB at 40 features, 70 MB at 200 (the device trainer
// keeps a standardised copy of each train matrix as well).
struct SplitRun {
  const Split* split = nullptr;
  Examples x_train, x_test;
  std::vector<int> y_train, y_test;
  std::unique_ptr<RunModel> model;
  SplitResult result;
  std::vector<HistoryRow> history;  // this split's rows, appended to the report in split order
  // The training clips the learning curve's per-epoch train accuracy measures: all of them for
  // feature rows (x_train itself, not a second copy of the matrix); for frame-level models (every
  // window of a clip costs a third of a training step) an evenly spaced sample as large as the
  // test side, so the curve costs two test passes an epoch instead of 1 + train/test of them.
  std::optional<Examples> curve_sample;
  std::vector<int> curve_sample_y;
  const Examples& x_curve() const { return curve_sample ? *curve_sample : x_train; }
  const std::vector<int>& y_curve() const { return curve_sample ? curve_sample_y : y_train; }
};

std::vector<int> evenly_spaced(const std::vector<int>& rows, std::size_t count) {
  if (count >= rows.size()) return rows;
  std::vector<int> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = rows[i * rows.size() / count];
  return out;
}

std::vector<SplitRun> prepare_splits(const RunConfig& c, const RunData& data,
                                     const std::vector<Split>& splits, int classes,
                                     RunReport& report) {
  std::vector<SplitRun> runs(splits.size());
  for (std::size_t s = 0; s < splits.size(); ++s) {
    SplitRun& run = runs[s];
    const Split& split = splits[s];
    run.split = &split;
    const auto t = SteadyClock::now();
    gather(data, split.train, run.x_train, run.y_train);
    run.x_train.variants = data.variants.get();  // a variant stays on its source clip's side
    gather(data, split.test, run.x_test, run.y_test);
    if (data.frames)
      gather(data, evenly_spaced(split.train, std::max<std::size_t>(split.test.size(), 1)),
             run.curve_sample.emplace(), run.curve_sample_y);
    report.seconds.split += seconds_since(t);
    spdlog::info(
        "split {} [{}/{}]: {} train, {} test clips; {:.1f}% of test clips have a sibling "
        "slice in train",
        split.name, s + 1, splits.size(), split.train.size(), split.test.size(),
        100.0 * split.leak.clip_fraction());
    run.model = make_model(c, data.frames ? data.frames->bands() : report.features, classes);
    run.result.name = split.name;
    run.result.test_fold = split.test_fold;
    run.result.leak = split.leak;
  }
  return runs;
}

// Trains every split's model, measuring test accuracy after each epoch (the history); the time in
// those measurements counts as evaluation, the rest as training.
void train_splits(const RunConfig& c, std::vector<SplitRun>& runs, RunReport& report) {
  double eval_seconds = 0;
  const int every = c.curve_spacing();
  std::vector<FitRequest> requests;
  for (SplitRun& run : runs) {
    double best_val_loss = std::numeric_limits<double>::infinity();
    const EpochHook hook = [&c, &run, &eval_seconds, every, best_val_loss](
                               const EpochReport& e, const RunModel& m) mutable {
      run.result.epochs_run = e.epoch;
      // The validation bookkeeping below runs every epoch; the curve's two test-set passes only
      // every `every` epochs (and at the first and last), so a tuning sweep can skip them.
      const bool curve_point =
          every > 0 && (e.epoch % every == 0 || e.epoch == 1 || e.epoch == c.train.epochs);
      if (curve_point) {
        const auto e_start = SteadyClock::now();
        // The train figure as the final table measures it (the model as it stands, dropout off),
        // not the trainer's running accuracy under dropout, so the two curves compare.
        const double train_acc =
            accuracy(run.y_curve(), argmax_rows(m.predict_proba(run.x_curve())));
        const double test_acc = accuracy(run.y_test, argmax_rows(m.predict_proba(run.x_test)));
        eval_seconds += seconds_since(e_start);
        run.history.push_back(
            {run.split->name, e.epoch, e.loss, train_acc, test_acc, e.train_accuracy});
        if (e.epoch % 10 == 0 || e.epoch == c.train.epochs || e.epoch == 1)
          spdlog::info("{} epoch {}/{}: loss {:.4f}, train acc {:.4f}, test acc {:.4f}",
                       run.split->name, e.epoch, c.train.epochs, e.loss, train_acc, test_acc);
      } else if (e.epoch % 10 == 0) {
        spdlog::info("{} epoch {}/{}: loss {:.4f}", run.split->name, e.epoch, c.train.epochs,
                     e.loss);
      }
      // The kept weights' validation accuracy: the best validation loss's under early stopping.
      if (!std::isnan(e.val_accuracy) &&
          (c.train.early_stopping_patience == 0 || e.val_loss < best_val_loss)) {
        best_val_loss = e.val_loss;
        run.result.validation_accuracy = e.val_accuracy;
      }
    };
    requests.push_back({run.model.get(), &run.x_train, run.y_train, hook});
  }
  const auto t = SteadyClock::now();
  fit_together(requests);
  report.seconds.train += seconds_since(t) - eval_seconds;
  report.seconds.evaluate += eval_seconds;
  for (SplitRun& run : runs) run.result.stopped_early = run.result.epochs_run < c.train.epochs;
}

// The split's final metrics and test predictions, appended to the report and the pooled lists.
void evaluate_split(SplitRun& run, int classes, RunReport& report,
                    std::vector<PredictionRow>& predictions, std::vector<int>& pooled_truth,
                    std::vector<int>& pooled_predicted) {
  const auto t = SteadyClock::now();
  SplitResult& result = run.result;
  result.train = evaluate(run.y_train, argmax_rows(run.model->predict_proba(run.x_train)), classes);
  const Matrix p_test = run.model->predict_proba(run.x_test);
  const std::vector<int> predicted = argmax_rows(p_test);
  result.test = evaluate(run.y_test, predicted, classes);
  const std::vector<int>& test_rows = run.split->test;
  for (std::size_t i = 0; i < test_rows.size(); ++i) {
    const auto row = p_test.row(i);
    predictions.push_back({test_rows[i], predicted[i], {row.begin(), row.end()}});
  }
  pooled_truth.insert(pooled_truth.end(), run.y_test.begin(), run.y_test.end());
  pooled_predicted.insert(pooled_predicted.end(), predicted.begin(), predicted.end());
  report.history.insert(report.history.end(), run.history.begin(), run.history.end());
  report.seconds.evaluate += seconds_since(t);
  spdlog::info("{}: train acc {:.4f}, test acc {:.4f}, macro-F1 {:.4f}", result.name,
               result.train.accuracy, result.test.accuracy, result.test.macro_f1);
  report.splits.push_back(std::move(result));
}

// train.refit: one more model of the same recipe on every clip (no test side, so no history).
std::unique_ptr<RunModel> fit_on_all_clips(const RunConfig& c, const RunData& data, int classes,
                                           RunReport& report) {
  const auto t = SteadyClock::now();
  std::vector<int> all(data.table.rows.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  Examples x;
  std::vector<int> y;
  gather(data, all, x, y);
  x.variants = data.variants.get();
  std::unique_ptr<RunModel> model =
      make_model(c, data.frames ? data.frames->bands() : report.features, classes);
  spdlog::info("train.refit: fitting the saved model on all {} clips", all.size());
  std::vector<FitRequest> request{{model.get(), &x, y, {}}};
  fit_together(request);
  report.seconds.train += seconds_since(t);
  return model;
}

// k-fold over every fold the data has, when that is fewer than its layout's protocol: the mean is
// then over those folds only, which a reader of "official 10-fold" would not assume.
std::string split_note(const RunConfig& c, const std::vector<Split>& splits) {
  if (c.split.kind != SplitKind::kfold || !c.split.folds.empty()) return {};
  const std::size_t protocol = c.data.layout == "urbansound8k"                        ? 10
                               : c.data.layout == "esc50" || c.data.layout == "esc10" ? 5
                                                                                      : 0;
  if (protocol == 0 || splits.size() >= protocol) return {};
  std::string names;
  for (const Split& s : splits) names += (names.empty() ? "" : ", ") + s.name;
  return fmt::format(
      "the data holds {} of the protocol's {} folds ({}): the figures are over these {} folds "
      "only, not a full {}-fold cross-validation",
      splits.size(), protocol, names, splits.size(), protocol);
}

}  // namespace

std::string resolved_config_text(const RunConfig& config) {
  return to_toml_string(run_config_table(config));
}

std::string config_files_comment(const RunConfig& config) {
  if (config.config_files.empty()) return "";
  std::string out = "# composed from (the first place holding a file wins, per file):\n";
  for (const std::string& file : config.config_files) out += "#   " + file + "\n";
  out += "# searched, in order:\n";
  std::istringstream places(config_search_path().describe());
  for (std::string line; std::getline(places, line);) out += "#   " + line + "\n";
  return out;
}

void log_config_files(const RunConfig& config) {
  if (config.config_files.empty()) return;
  std::string files;
  for (const std::string& file : config.config_files) files += (files.empty() ? "" : ", ") + file;
  spdlog::info("config files: {}", files);
}

namespace {

nlohmann::json run_stages(const RunRequest& req) {
  const RunConfig& c = req.config;
  const fs::path& dir = req.run_dir;
  const auto start = SteadyClock::now();
  const std::string config_text = resolved_config_text(c);
  write_file_atomic(dir / "config.toml", config_text);
  write_file_atomic(dir / "overrides.txt", overrides_text(req.overrides));
  spdlog::info("run {} (experiment {}, model {}, device {})", dir.string(), c.experiment,
               c.model.kind, c.resolved_device());
  log_config_files(c);

  RunReport report;
  report.experiment = c.experiment;
  report.model_kind = c.model.kind;
  report.split_kind = split_kind_name(c.split.kind);
  report.device = c.resolved_device();

  auto t = SteadyClock::now();
  const RunData data = load_run_data(c, req.progress);
  report.seconds.dataset = data.dataset_seconds;
  report.seconds.extract = seconds_since(t) - data.dataset_seconds;
  const FeatureTable& table = data.table;
  report.data_source = data.source;
  report.feature_description = describe_features(c.features, c.data.features, table.columns.size());
  report.clips = static_cast<int>(table.rows.size());
  report.features = static_cast<int>(data.frames ? data.frames->bands() : table.columns.size());
  report.class_names = data.class_names;
  const int classes = data.classes();

  t = SteadyClock::now();
  const std::vector<Split> splits = make_splits(table, c.effective_split());
  report.seconds.split = seconds_since(t);
  std::vector<SplitRun> runs = prepare_splits(c, data, splits, classes, report);
  train_splits(c, runs, report);
  std::vector<PredictionRow> predictions;
  std::vector<int> pooled_truth, pooled_predicted;
  for (SplitRun& run : runs)
    evaluate_split(run, classes, report, predictions, pooled_truth, pooled_predicted);
  report.pooled = evaluate(pooled_truth, pooled_predicted, classes);
  report.parameters = runs.back().model->parameter_count();
  report.split_note = split_note(c, splits);
  std::unique_ptr<RunModel> refit =
      c.train.refit ? fit_on_all_clips(c, data, classes, report) : nullptr;
  const RunModel& saved = refit ? *refit : *runs.back().model;
  report.model_trained_on = refit ? "all clips" : splits.back().name;
  report.model_note =
      refit ? fmt::format(
                  "fitted on all {} clips after the splits (train.refit=true); the "
                  "accuracies are the splits' models'",
                  table.rows.size())
      : splits.size() == 1
          ? "the model trained on the split's training rows"
          : "the last split's model only (" + splits.back().name +
                "); train.refit=true fits the saved model on all clips after the splits";

  t = SteadyClock::now();
  nlohmann::json classes_json = data.class_names;
  saved.save(dir / "model.safetensors",
             {{"audify.config", config_text},
              {"audify.classes", classes_json.dump()},
              {"audify.features", to_toml_string(feature_options_table(c.features))},
              {"audify.feature_columns", nlohmann::json(table.columns).dump()},
              {"audify.trained_on", report.model_trained_on}});
  write_file_atomic(dir / "predictions.csv", predictions_csv(table, data.class_names, predictions));
  write_file_atomic(dir / "history.csv", history_csv(report.history, splits.size() > 1));
  report.seconds.write = seconds_since(t);  // metrics.json itself is written after its own timings
  report.seconds.total = seconds_since(start);
  nlohmann::json metrics = metrics_json(report);
  if (req.before_metrics) req.before_metrics();
  write_file_atomic(dir / "metrics.json", metrics.dump(2) + "\n");
  return metrics;
}

}  // namespace

nlohmann::json run_experiment(const RunRequest& req) {
  clear_run_failed(req.run_dir);
  try {
    return run_stages(req);
  } catch (const std::exception& e) {
    mark_run_failed(req.run_dir, e.what());
    throw;
  }
}

}  // namespace audify
