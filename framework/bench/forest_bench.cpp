// The forest benchmark: fold 1 held out, the other folds fitted, as the quoted scikit-learn run.
#include "bench/forest_bench.h"

#include <chrono>
#include <random>

#include "baselines/classifier.h"
#include "baselines/random_forest.h"
#include "core/error.h"
#include "data/feature_table.h"

namespace audify {
namespace {

using Clock = std::chrono::steady_clock;

struct Side {
  Matrix x;
  std::vector<int> y;
};

void append(Side& side, std::span<const float> values, int label) {
  side.x.cols = values.size();
  side.x.data.insert(side.x.data.end(), values.begin(), values.end());
  ++side.x.rows;
  side.y.push_back(label);
}

// Overlapping Gaussian blobs of the real table's shape (7859 training rows, 873 test rows), as
// tools/sklearn_forest_fit.py draws them: unit centres, noise of standard deviation 3.
void synthetic(Side& train, Side& test) {
  constexpr int kClasses = 10, kFeatures = 40, kTrain = 7859, kTest = 873;
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> centre(kClasses * kFeatures), row(kFeatures);
  for (float& c : centre) c = normal(rng);
  for (int r = 0; r < kTrain + kTest; ++r) {
    const int label = r % kClasses;
    for (int f = 0; f < kFeatures; ++f) row[f] = centre[label * kFeatures + f] + 3.0f * normal(rng);
    append(r < kTrain ? train : test, row, label);
  }
}

}  // namespace

ForestBenchResult run_forest_bench(const ForestBenchOptions& options) {
  ForestBenchResult result;
  Side train, test;
  int classes = 10;
  if (!options.features.empty() && std::filesystem::exists(options.features)) {
    const FeatureTable table = read_feature_table(options.features);
    for (const FeatureRow& row : table.rows) {
      if (row.class_id < 0)
        fail("{}: {} has no class label", options.features.string(), row.slice_file_name);
      append(row.fold == 1 ? test : train, row.values, row.class_id);
      classes = std::max(classes, row.class_id + 1);
    }
    if (train.y.empty() || test.y.empty())
      fail("{}: needs rows in fold 1 and in other folds", options.features.string());
    result.data = options.features.string();
  } else {
    synthetic(train, test);
    result.data = "synthetic";
  }
  result.train_rows = train.x.rows;
  result.test_rows = test.x.rows;
  result.features = train.x.cols;
  std::unique_ptr<Classifier> forest = make_random_forest(options.forest);
  const auto t0 = Clock::now();
  forest->fit(train.x, train.y, classes);
  const auto t1 = Clock::now();
  const std::vector<int> predicted = argmax_rows(forest->predict_proba(test.x));
  result.fit_seconds = std::chrono::duration<double>(t1 - t0).count();
  result.predict_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  std::size_t hits = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) hits += predicted[i] == test.y[i];
  result.test_accuracy = double(hits) / double(predicted.size());
  return result;
}

}  // namespace audify
