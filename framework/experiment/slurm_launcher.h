// launcher=slurm: a multirun submitted as ONE SLURM job array, one task per pending point. Before
// submitting, this process generates the dataset and fills the feature cache once per distinct
// feature config (so tasks only read the cache, which must be on a shared filesystem) and writes
// every pending point's resolved config.toml. The array script (<multirun>/array.sbatch) maps
// SLURM_ARRAY_TASK_ID to the point of that index and runs
//   audify run --run-dir DIR --point-config DIR/config.toml > DIR/console.txt 2>&1
// then writes the exit code to DIR/exit_status. The command then waits, printing the counts of
// pending/running/done/failed points as they change; Ctrl-C cancels the array (scancel). With
// `wait = false` it returns once the array is queued. See docs/cluster.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiment/launcher_options.h"
#include "experiment/multirun.h"
#include "experiment/multirun_plan.h"

namespace audify {

MultirunResult run_slurm_multirun(const MultirunPlan& plan, const MultirunRequest& request);

// The array script for `points` (indices into plan.points).
std::string slurm_array_script(const MultirunPlan& plan, const std::vector<int>& points,
                               const SlurmOptions& options, const std::filesystem::path& executable,
                               const std::filesystem::path& working_dir);

// Waits until no task of the sweep in `dir` is queued, logging the counts when they change.
// Ctrl-C (SIGINT) or SIGTERM while waiting cancels the sweep's jobs; returns false then.
bool wait_for_sweep(const std::filesystem::path& dir, double poll_seconds);

}  // namespace audify
