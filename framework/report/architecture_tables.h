// The architectures comparison of a report: one row per run (model, trained parameters, split,
// test accuracy as mean ± std over its folds and each fold's value, training time per fold), and
// for every two runs evaluated on the same folds of the same data the per-fold paired difference,
// which is what decides between two models when the folds themselves differ by several points.
#pragma once

#include <vector>

#include "report/report_tables.h"
#include "report/run_results.h"

namespace audify {

Table architectures_table(const std::vector<const RunResults*>& runs);

// One row per pair (a, b) with identical fold names and data source: b - a on each fold
// (percentage points), their mean ± sample sd with its 95 % CI, the paired t statistic with its
// two-sided p-value, the Wilcoxon signed-rank p-value, and on how many folds b wins. Empty when no
// two runs share their folds.
Table paired_differences_table(const std::vector<const RunResults*>& runs);

}  // namespace audify
