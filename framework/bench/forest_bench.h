// `audify bench baseline model=random_forest`: the wall time of one forest fit on the rows
// scikit-learn's figure is quoted for (UrbanSound8K's folds 2-10 of the MFCC-40 table, 7859 x 40),
// and the accuracy on fold 1 as a sanity check. Without the table, synthetic blobs of that shape
// stand in. tools/sklearn_forest_fit.py times scikit-learn on the same rows.
#pragma once

#include <filesystem>
#include <string>

#include "baselines/baseline_options.h"

namespace audify {

struct ForestBenchOptions {
  std::filesystem::path features;  // the feature table; empty or absent: synthetic rows
  ForestOptions forest;            // n_trees, threads, engine, ...
};

struct ForestBenchResult {
  std::string data;  // the table's path, or "synthetic"
  std::size_t train_rows = 0, test_rows = 0, features = 0;
  double fit_seconds = 0, predict_seconds = 0;
  double test_accuracy = 0;
};

ForestBenchResult run_forest_bench(const ForestBenchOptions& options);

}  // namespace audify
