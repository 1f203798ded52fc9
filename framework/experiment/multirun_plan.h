// What both launchers share: the sweep expanded into points, each composed and validated up front;
// the multirun folder (new, or resumed: the points with a metrics.json are finished and skipped);
// each pending point's folder prepared with its resolved config.toml before it runs; and
// multirun.json, the manifest that `audify sweep status|collect|cancel DIR` read later.
//
// A point runs as `audify run --run-dir DIR --point-config DIR/config.toml`, locally or as an array
// task, so it computes exactly what was validated, whatever configs/ holds by then.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/override_parser.h"
#include "experiment/run_config.h"
#include "experiment/summary.h"

namespace audify {

struct MultirunPoint {
  int index = 0;
  std::string name;                 // folder name under the multirun folder
  std::vector<Override> overrides;  // every override, sweeps resolved to this point's values
  std::vector<Override> swept;      // the swept ones alone
  RunConfig config;
};

struct MultirunPlan {
  std::filesystem::path dir;  // absolute
  std::vector<MultirunPoint> points;
  std::vector<int> pending;  // indices of the points to run now
  int skipped = 0;           // finished before (resumed)
};

// Expands and validates every point, creates the multirun folder (or checks `resume_dir` was
// started with the same overrides, launcher.* and launcher= aside) and finds the pending points.
MultirunPlan plan_multirun(const std::vector<Override>& overrides,
                           const std::filesystem::path& resume_dir);

// The mark of a finished point: its metrics.json.
bool point_finished(const std::filesystem::path& point_dir);

// Empties the point's folder and writes config.toml (resolved) and overrides.txt into it.
void prepare_point_dir(const std::filesystem::path& point_dir, const MultirunPoint& point);

// Generates the dataset and fills the feature cache once per distinct input of the pending points,
// in this process, so parallel points (or array tasks) neither generate nor extract twice.
void prepare_inputs(const MultirunPlan& plan, bool progress);

// The worker command of one point: `<executable> run --run-dir DIR --point-config DIR/config.toml`.
std::vector<std::string> point_command(const std::filesystem::path& executable,
                                       const std::filesystem::path& point_dir);

// The config of a point folder's config.toml (as `--point-config` reads it), and the overrides in
// its overrides.txt.
RunConfig load_point_config(const std::filesystem::path& config_file);
std::vector<Override> load_point_overrides(const std::filesystem::path& point_dir);

// multirun.json: the launcher, the points (index, folder, swept values) and each submission (job
// id and the points it ran), appended to on every start or resume.
struct MultirunSubmission {
  std::string job_id;  // "" for a local launch
  std::vector<int> points;
  std::string submitted_at;
};
struct MultirunManifest {
  std::string launcher;
  std::vector<SummaryPoint> points;  // status left empty
  std::vector<MultirunSubmission> submissions;
};
void write_manifest(const std::filesystem::path& dir, const MultirunManifest& manifest);
MultirunManifest read_manifest(const std::filesystem::path& dir);
// The manifest of `plan` with `submission` appended to the one already in its folder (if any).
MultirunManifest record_submission(const MultirunPlan& plan, const std::string& launcher,
                                   MultirunSubmission submission);

}  // namespace audify
