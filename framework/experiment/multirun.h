// `audify run -m`: one run per combination of the sweep overrides, in
// <output_root>/<experiment>/multirun_<date>_<time>/<index>_<short-name>/, then summary.csv/.md.
// launcher.kind picks how the points run: `local`, worker processes on this machine
// (`launcher.jobs` at a time), or `slurm`, one SLURM job array (experiment/slurm_launcher.h).
// Resuming a multirun folder runs only the points without a metrics.json.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/override_parser.h"

namespace audify {

struct MultirunRequest {
  std::vector<Override> overrides;  // sweeps and plain overrides, in command-line order
  std::filesystem::path
      resume_dir;  // a previous multirun folder of the same overrides; empty = new
  std::filesystem::path executable = "/proc/self/exe";  // the worker binary
  bool progress = true;
  bool wait = true;  // slurm: false returns once the array is queued
};

struct MultirunResult {
  std::filesystem::path dir;
  int points = 0, ran = 0, skipped = 0, failed = 0;
  std::string job_id;    // slurm: the array's job id ("" when nothing was submitted)
  bool finished = true;  // false when the command returned before the points ended (--no-wait)
  bool report = true;    // the points' `report` key: write a report of the multirun when done
};

MultirunResult run_multirun(const MultirunRequest& request);

// Overrides as folder-name text: the last segment of each key and its sanitised value, e.g.
// "hidden=256-256,lr=3e-4" (at most 80 characters).
std::string overrides_folder_text(const std::vector<Override>& overrides);
// A point's folder name: its index and the swept values, e.g. "1_hidden=256-256,lr=3e-4".
std::string point_dir_name(int index, const std::vector<Override>& swept_values);
// What a single run's folder says after its timestamp: the model and the overrides that make it
// differ from its experiment, e.g. "svm_rbf_kind=grouped,standardize=true".
std::string run_dir_suffix(const std::string& model_kind, const std::vector<Override>& overrides);

}  // namespace audify
