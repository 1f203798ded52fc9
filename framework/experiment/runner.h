// One `audify run`: data -> splits -> a model trained per split -> metrics, with every artefact
// written atomically into the run directory and metrics.json last, as the mark of a finished run
// (a run that throws leaves FAILED with the error instead: experiment/run_dir.h).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/override_parser.h"
#include "experiment/run_config.h"

namespace audify {

struct RunRequest {
  RunConfig config;
  std::vector<Override> overrides;  // as given on the command line (overrides.txt)
  std::filesystem::path run_dir;    // exists
  bool progress = true;             // the extraction progress line on stderr
  // Called right before metrics.json is written (the caller saves log.txt there).
  std::function<void()> before_metrics;
};

// Runs the experiment and returns the metrics written to metrics.json. Files in run_dir:
// config.toml, overrides.txt, predictions.csv, history.csv, model.safetensors, log.txt (by the
// caller, via before_metrics), metrics.json.
nlohmann::json run_experiment(const RunRequest& request);

// The resolved config.toml text of a config.
std::string resolved_config_text(const RunConfig& config);
// TOML comment lines naming the files the config was composed from and where they were searched
// (config/paths.h), printed before `run --cfg`'s config; "" for a config read back from a run.
std::string config_files_comment(const RunConfig& config);
// Logs the files the config was composed from (the run's log.txt keeps the line).
void log_config_files(const RunConfig& config);

}  // namespace audify
