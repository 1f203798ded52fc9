// The training loop over splits. Each split gets a fresh model from the factory (same seed, so
// folds differ only by their data); test accuracy is measured after every epoch for history.csv.
#include "experiment/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "config/toml_writer.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "experiment/model_factory.h"
#include "experiment/run_data.h"
#include "experiment/run_report.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void gather(const FeatureTable& table, const std::vector<int>& rows, Matrix& x,
            std::vector<int>& y) {
  const std::size_t cols = table.columns.size();
  x = Matrix(rows.size(), cols);
  y.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const FeatureRow& r = table.rows[rows[i]];
    std::copy(r.values.begin(), r.values.end(), x.row(i).begin());
    y[i] = r.class_id;
  }
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

}  // namespace

std::string resolved_config_text(const RunConfig& config) {
  return to_toml_string(run_config_table(config));
}

nlohmann::json run_experiment(const RunRequest& req) {
  const RunConfig& c = req.config;
  const fs::path& dir = req.run_dir;
  const auto start = Clock::now();
  const std::string config_text = resolved_config_text(c);
  write_file_atomic(dir / "config.toml", config_text);
  write_file_atomic(dir / "overrides.txt", overrides_text(req.overrides));
  spdlog::info("run {} (experiment {}, model {}, device {})", dir.string(), c.experiment,
               c.model.kind, c.resolved_device());

  RunReport report;
  report.experiment = c.experiment;
  report.model_kind = c.model.kind;
  report.split_kind = split_kind_name(c.split.kind);
  report.device = c.resolved_device();

  auto t = Clock::now();
  const RunData data = load_run_data(c, req.progress);
  report.seconds.dataset = data.dataset_seconds;
  report.seconds.extract = since(t) - data.dataset_seconds;
  const FeatureTable& table = data.table;
  report.data_source = data.source;
  report.feature_description = describe_features(c.features, c.data.features, table.columns.size());
  report.clips = static_cast<int>(table.rows.size());
  report.features = static_cast<int>(table.columns.size());
  report.class_names = data.class_names;
  const int classes = data.classes();

  t = Clock::now();
  const std::vector<Split> splits = make_splits(table, c.effective_split());
  report.seconds.split = since(t);
  std::vector<PredictionRow> predictions;
  std::vector<int> pooled_truth, pooled_predicted;
  std::unique_ptr<RunModel> model;
  for (std::size_t s = 0; s < splits.size(); ++s) {
    const Split& split = splits[s];
    Matrix x_train, x_test;
    std::vector<int> y_train, y_test;
    t = Clock::now();
    gather(table, split.train, x_train, y_train);
    gather(table, split.test, x_test, y_test);
    report.seconds.split += since(t);
    spdlog::info(
        "split {} [{}/{}]: {} train, {} test clips; {:.1f}% of test clips have a sibling "
        "slice in train",
        split.name, s + 1, splits.size(), split.train.size(), split.test.size(),
        100.0 * split.leak.clip_fraction());
    model = make_model(c, report.features, classes);
    SplitResult result;
    result.name = split.name;
    result.test_fold = split.test_fold;
    result.leak = split.leak;
    double eval_seconds = 0;
    t = Clock::now();
    model->fit(x_train, y_train, [&](const EpochReport& e, const RunModel& m) {
      const auto e_start = Clock::now();
      const double test_acc = accuracy(y_test, argmax_rows(m.predict_proba(x_test)));
      eval_seconds += since(e_start);
      report.history.push_back({split.name, e.epoch, e.loss, e.train_accuracy, test_acc});
      result.epochs_run = e.epoch;
      if (e.epoch % 10 == 0 || e.epoch == c.train.epochs || e.epoch == 1)
        spdlog::info("{} epoch {}/{}: loss {:.4f}, train acc {:.4f}, test acc {:.4f}", split.name,
                     e.epoch, c.train.epochs, e.loss, e.train_accuracy, test_acc);
    });
    result.stopped_early = result.epochs_run < c.train.epochs;
    report.seconds.train += since(t) - eval_seconds;
    report.seconds.evaluate += eval_seconds;

    t = Clock::now();
    result.train = evaluate(y_train, argmax_rows(model->predict_proba(x_train)), classes);
    const Matrix p_test = model->predict_proba(x_test);
    const std::vector<int> predicted = argmax_rows(p_test);
    result.test = evaluate(y_test, predicted, classes);
    for (std::size_t i = 0; i < split.test.size(); ++i) {
      const auto row = p_test.row(i);
      predictions.push_back({split.test[i], predicted[i], {row.begin(), row.end()}});
    }
    pooled_truth.insert(pooled_truth.end(), y_test.begin(), y_test.end());
    pooled_predicted.insert(pooled_predicted.end(), predicted.begin(), predicted.end());
    report.seconds.evaluate += since(t);
    spdlog::info("{}: train acc {:.4f}, test acc {:.4f}, macro-F1 {:.4f}", split.name,
                 result.train.accuracy, result.test.accuracy, result.test.macro_f1);
    report.splits.push_back(std::move(result));
  }
  report.pooled = evaluate(pooled_truth, pooled_predicted, classes);
  report.model_note = splits.size() == 1 ? "the model trained on the split's training rows"
                                         : "the model of the last split (" + splits.back().name +
                                               "); no final model on all data is trained";

  t = Clock::now();
  nlohmann::json classes_json = data.class_names;
  model->save(dir / "model.safetensors",
              {{"audify.config", config_text},
               {"audify.classes", classes_json.dump()},
               {"audify.features", to_toml_string(feature_options_table(c.features))},
               {"audify.feature_columns", nlohmann::json(table.columns).dump()},
               {"audify.trained_on", splits.back().name}});
  write_file_atomic(dir / "predictions.csv", predictions_csv(table, data.class_names, predictions));
  write_file_atomic(dir / "history.csv", history_csv(report.history, splits.size() > 1));
  report.seconds.write = since(t);  // metrics.json itself is written after its own timings
  report.seconds.total = since(start);
  nlohmann::json metrics = metrics_json(report);
  if (req.before_metrics) req.before_metrics();
  write_file_atomic(dir / "metrics.json", metrics.dump(2) + "\n");
  return metrics;
}

}  // namespace audify
