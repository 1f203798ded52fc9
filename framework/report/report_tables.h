// The report's tables as plain rows of text, built once and rendered both as Markdown and as HTML,
// so the two files always say the same thing.
#pragma once

#include <string>
#include <vector>

#include "report/run_results.h"

namespace audify {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// A fraction as a percentage with two decimals, e.g. 0.7828 -> "78.28".
std::string percent(double fraction);

// How every "±" in the report is meant, said once under each table that has one.
inline constexpr const char* kSpreadNote =
    "± is the sample standard deviation over folds or seeds (n − 1); brackets hold the 95 % "
    "confidence interval of the mean (Student t, n − 1 degrees of freedom)";
// Each split's test (train) accuracy as a fraction; the run's own figure when it lists no splits.
std::vector<double> test_accuracies(const RunResults& run);
std::vector<double> train_accuracies(const RunResults& run);
// Values in percent: "mean ± sd [low, high]" over two or more (see kSpreadNote), the value alone
// for one. `scale` 100 turns fractions into percent, 1 keeps points as they are.
std::string spread_cell(const std::vector<double>& values, double scale = 100);

// "Test accuracy 55.80 %, macro-F1 0.5712, split kfold, leak 0.0 %. Features: 275 columns: ..."
std::string run_headline(const RunResults& run);

// One row per run: train, test mean ± sd [95 % CI], macro-F1, split, leak %.
Table accuracy_table(const std::vector<const RunResults*>& runs);
// Train/test accuracy, macro-F1 and leak of every split of one run (with split.purge: the leak
// before it and the training clips it dropped).
Table fold_table(const RunResults& run);
// Per class: its train / test clips and its test share, for every split.
Table class_balance_table(const RunResults& run);
// Precision, recall, F1 and support per class (pooled test predictions).
Table per_class_table(const RunResults& run);
// Rows: true class, columns: predicted class.
Table confusion_table(const RunResults& run);
// The same, each row as percentages of its true class (rows sum to 100; recall on the diagonal).
std::vector<std::vector<int>> row_normalised_percent(const std::vector<std::vector<int>>& counts);
Table confusion_percent_table(const RunResults& run);
// config.toml's model.* (and, for the networks, train.*) keys of one run.
Table hyperparameter_table(const RunResults& run);
// The points of a multirun, best first, with the swept values as columns: ranked by validation
// accuracy when every point has one (train.validation_fraction > 0), else by test accuracy, which
// multirun_ranking_note() then warns about.
Table multirun_table(const MultirunResults& multirun);
std::string multirun_ranking_note(const MultirunResults& multirun);
// history.csv averaged over splits per epoch (split = "mean of N"); a single split as it is.
std::vector<EpochRow> mean_history(const RunResults& run);
// Epoch, loss, train and test accuracy of mean_history(), at most `max_rows` evenly spaced rows.
Table learning_curve_table(const RunResults& run, std::size_t max_rows = 60);
// What the learning curve's train line is: evaluated with dropout off after each epoch (newer
// runs), or the trainer's running accuracy with dropout on (runs written before that was measured).
std::string curve_train_note(const RunResults& run);
// Commit, device, data, timings and overrides of one run.
Table provenance_table(const RunResults& run);

}  // namespace audify
