// Figures from the literature for the benchmarks Audify's layouts read, each row marked "published,
// not measured". Which benchmark a run is on comes from its class list (the data's), so a report
// of ESC-10 runs shows Piczak's ESC-10 figures, not UrbanSound8K's, and one of a user's own classes
// shows none.
#pragma once

#include <vector>

#include "report/report_tables.h"
#include "report/run_results.h"

namespace audify {

enum class Benchmark { urbansound8k, esc10, esc50, none };

// UrbanSound8K: its 10 class names; ESC-10: the names of its original release's folders or its
// ESC-50 categories; ESC-50: 50 classes holding the 10 ESC-10 categories.
Benchmark benchmark_of(const std::vector<std::string>& class_names);

// The published rows of every benchmark among `runs`, in the order first seen (no rows when none
// is a known benchmark).
Table published_table(const std::vector<const RunResults*>& runs);

// The published row a run corresponds to (same benchmark, model family and protocol), and the run's
// test accuracy minus it: "−4.02 vs seed study (78.28)"; "—" when there is none, and for runs on
// the synthetic set, whose class names are UrbanSound8K's but whose clips are not.
std::string published_difference(const RunResults& run);

}  // namespace audify
