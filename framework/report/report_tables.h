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

// "Test accuracy 55.80 %, macro-F1 0.5712, split kfold, leak 0.0 %. Features: 275 columns: ..."
std::string run_headline(const RunResults& run);

// One row per run: train, test mean ± std, macro-F1, split, leak %.
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
// The points of a multirun sorted by test accuracy, best first, with the swept values as columns.
Table multirun_table(const MultirunResults& multirun);
// history.csv averaged over splits per epoch (split = "mean of N"); a single split as it is.
std::vector<EpochRow> mean_history(const RunResults& run);
// Epoch, loss, train and test accuracy of mean_history(), at most `max_rows` evenly spaced rows.
Table learning_curve_table(const RunResults& run, std::size_t max_rows = 60);
// Commit, device, data, timings and overrides of one run.
Table provenance_table(const RunResults& run);

}  // namespace audify
