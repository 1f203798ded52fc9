// What a finished run reports: per-split results gathered by the runner, turned into the run
// directory's metrics.json, predictions.csv and history.csv.
#pragma once

#include <nlohmann/json.hpp>

#include <limits>
#include <string>
#include <vector>

#include "data/feature_table.h"
#include "data/splits.h"
#include "experiment/metrics.h"
#include "features/feature_options.h"

namespace audify {

struct SplitResult {
  std::string name;  // "random", "fold3", ...
  int test_fold = 0;
  ClassificationMetrics train;  // the trained model on its own training rows, dropout off
  ClassificationMetrics test;
  LeakFigure leak;
  int epochs_run = 0;
  bool stopped_early = false;
  // train.validation_fraction's held-out rows: accuracy at the epoch whose weights the model kept
  // (the best validation loss under early stopping, else the last); NaN without validation rows.
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();
};

struct HistoryRow {
  std::string split;  // the split's name (the fold column of history.csv)
  int epoch = 0;
  double loss = 0;
  double train_accuracy = 0;  // the model after the epoch on its training rows, dropout off
  double test_accuracy = 0;
  double train_accuracy_running = 0;  // the trainer's running figure during the epoch, dropout on
};

struct PredictionRow {
  int row = 0;  // index into the feature table
  int predicted = 0;
  std::vector<float> probabilities;  // one per class
};

// Wall time per stage: generating the synthetic dataset, loading or extracting features, making
// the splits (and gathering their rows), training, evaluating, writing the run's files.
struct StageSeconds {
  double dataset = 0, extract = 0, split = 0, train = 0, evaluate = 0, write = 0, total = 0;
};

struct RunReport {
  std::string experiment, model_kind, split_kind, device, data_source, model_note;
  std::string model_trained_on;     // "all clips" (train.refit) or the split whose model was saved
  std::string split_note;           // e.g. k-fold on fewer folds than the protocol has; "" if none
  std::size_t parameters = 0;       // the model's trained weights (0: not a fixed count)
  std::string feature_description;  // describe_features()
  int clips = 0, features = 0;
  std::vector<std::string> class_names;
  std::vector<SplitResult> splits;
  ClassificationMetrics pooled;  // every test prediction at once (k-fold: each row once)
  std::vector<HistoryRow> history;
  StageSeconds seconds;
};

// What the feature columns are, for the report: "salamon2014-style statistics: 275 columns = 11
// statistics x 25 MFCCs (...)", or the table's file when the run read one (`table_path`).
std::string describe_features(const FeatureOptions& options, const std::string& table_path,
                              std::size_t columns);

// metrics.json: train/test accuracy as fractions (k-fold: the mean over folds, with std and the
// per-fold values), test macro-F1, per-class scores and the confusion matrix of the pooled test
// predictions, the leak figure, a history summary, stage timings, device, commit and versions.
nlohmann::json metrics_json(const RunReport& report);

// predictions.csv: file,fold,true,true_class,predicted,predicted_class,p_<class>...
std::string predictions_csv(const FeatureTable& table, const std::vector<std::string>& class_names,
                            const std::vector<PredictionRow>& rows);

// history.csv: epoch,loss,train_acc,test_acc,train_acc_running[,fold] (fold only when there are
// several splits); train_acc is measured with dropout off, as the final train accuracy is.
std::string history_csv(const std::vector<HistoryRow>& rows, bool with_fold);

}  // namespace audify
