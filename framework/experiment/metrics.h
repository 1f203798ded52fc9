// Classification metrics of one split and their aggregation over folds, as written to metrics.json.
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <vector>

namespace audify {

struct ClassMetrics {
  double precision = 0, recall = 0, f1 = 0;
  int support = 0;  // true instances in the evaluated set
};

struct ClassificationMetrics {
  double accuracy = 0;  // fraction in [0, 1]
  double macro_f1 = 0;  // over classes with support > 0 or predictions > 0 (as scikit-learn's
                        // zero_division=0 over present labels)
  std::vector<ClassMetrics> per_class;      // index = class id
  std::vector<std::vector<int>> confusion;  // [true][predicted]
  int count = 0;
};

ClassificationMetrics evaluate(std::span<const int> truth, std::span<const int> predicted,
                               int n_classes);

struct MeanStd {
  double mean = 0;
  double std = 0;                      // sample standard deviation (ddof = 1) over folds or seeds
  double ci95_low = 0, ci95_high = 0;  // 95 % confidence interval of the mean (Student t)
};
MeanStd mean_std(std::span<const double> values);

nlohmann::json to_json(const ClassificationMetrics& m, const std::vector<std::string>& class_names);

}  // namespace audify
