// The study's first table: protocol (how the clips were split) by model, each cell the test
// accuracy over that protocol's folds or seeds, beside the protocol's leak figure, so the gap
// between a split that puts slices of one recording on both sides and one that does not is read
// off one row against the next.
#pragma once

#include <vector>

#include "report/report_tables.h"
#include "report/run_results.h"

namespace audify {

// Rows: protocols in the order random, grouped, kfold, fold_holdout (then any other), each with
// its pooled leak (% of test clips with a sibling slice in train) and one column per model kind
// (first-seen order): mean ± sd [95 % CI] of the test accuracy in % over all runs' splits in that
// cell. Empty unless the runs cover at least two protocols.
Table study_table(const std::vector<const RunResults*>& runs);

// What the table shows, said above it in both renderings.
inline constexpr const char* kStudyNote =
    "Test accuracy of each model under each protocol. A random split puts slices of one "
    "recording on both sides (the leak column), so the model is tested on recordings it has "
    "heard; the grouped split and the folds keep each recording on one side.";

}  // namespace audify
