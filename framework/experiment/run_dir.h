// The run directory and what every run records about its surroundings: a fresh timestamped folder
// under <output_root>/<experiment>/, the log of the run (log.txt), and the source commit.
#pragma once

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

namespace audify {

// Local time as YYYY-MM-DD_HH-MM-SS.
std::string timestamp_now();

// Creates <output_root>/<experiment>/<prefix><timestamp>[_<suffix>]/, adding _1, _2, ... when
// that exists (two runs in one second), and returns it. Throws audify::Error when it cannot.
std::filesystem::path create_run_dir(const std::filesystem::path& output_root,
                                     const std::string& experiment, const std::string& prefix = "",
                                     const std::string& suffix = "");

// A run that fails after its folder exists leaves this file there, holding the error; metrics.json
// (written last) marks a finished run, so a folder with neither crashed or is still running.
inline constexpr const char* kFailedFile = "FAILED";
// Writes <dir>/FAILED with `error` (best effort: the run is failing already).
void mark_run_failed(const std::filesystem::path& dir, const std::string& error);
// Removes a FAILED left by an earlier attempt (a resumed multirun reruns the point in place).
void clear_run_failed(const std::filesystem::path& dir);

// `git rev-parse HEAD` in the source tree (AUDIFY_SOURCE_DIR), or "unknown".
std::string git_commit();

// While alive, spdlog's default logger writes to stderr (warnings only when `quiet`) and to memory;
// save() writes the captured lines (log.txt) atomically. The previous default logger comes back on
// destruction.
class RunLog {
 public:
  explicit RunLog(bool quiet = false);
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  void save(const std::filesystem::path& path);
  // An error for log.txt only: the command prints it on stderr itself as it exits, once.
  void record_error(const std::string& message);
  // A line for log.txt only, as info: what the run's summary prints on stdout anyway.
  void record_info(const std::string& message);

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::sink> memory_;
  std::ostringstream lines_;
};

}  // namespace audify
