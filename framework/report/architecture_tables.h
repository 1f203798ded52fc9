// The architectures comparison of a report: one row per configuration (a run, or the seeds of one
// multirun point: model, trained parameters, split, test accuracy as mean ± sd over its folds or
// seeds and each value, training time per fold), and for every two configurations tested on the
// same clips the paired difference split by split, which is what decides between two models when
// the splits themselves differ by several points.
#pragma once

#include <string>
#include <vector>

#include "report/report_tables.h"
#include "report/run_results.h"

namespace audify {

// One configuration's runs: a single run, or the points of one multirun folder that differ only in
// `seed` (its replicates), in seed order.
struct ReplicateGroup {
  std::string
      label;         // for tables: the run's label, or "<experiment> <swept> (<multirun>), N seeds"
  std::string name;  // for charts: the label without the multirun folder
  std::vector<const RunResults*> runs;
};

// Groups `runs` by (multirun folder, swept values other than seed), first appearance first.
std::vector<ReplicateGroup> replicate_groups(const std::vector<const RunResults*>& runs);

// A configuration's test accuracies (fractions): one run's folds, or each seed's run-level figure.
std::vector<double> test_values(const ReplicateGroup& group);

Table architectures_table(const std::vector<const RunResults*>& runs);
// What the two tables hold, said under their headings in report.md and report.html alike.
inline constexpr const char* kArchitecturesNote =
    "Test accuracy in %, mean ± sample sd [95 % CI] over a run's folds, or over the seeds of a "
    "multirun point (each seed's mean over its folds), and each value; parameters are the trained "
    "weights (— for the baselines).";
inline constexpr const char* kPairedNote =
    "Paired differences over the splits both configurations tested on the very same clips "
    "(percentage points; two-sided paired t-test and Wilcoxon signed-rank test over those "
    "splits):";

// One row per two configurations a, b with splits of identical test clips (the test_set digests
// of report/test_sets.h; fold names, data and class counts when a run predates them): b − a on
// each such split (percentage points), their mean ± sample sd with its 95 % CI, the paired t
// statistic with its two-sided p-value, the Wilcoxon signed-rank p-value, and on how many splits
// b wins. Empty when no two configurations share a split.
Table paired_differences_table(const std::vector<const RunResults*>& runs);

}  // namespace audify
