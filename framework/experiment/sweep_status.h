// The state of a multirun folder from any shell, after the launching command has gone: each point
// from its files (metrics.json = finished, exit_status = the task's exit code) and, while a SLURM
// array is queued, from squeue (sacct, where the cluster keeps accounting, names how a task that
// left no exit code ended). `audify sweep status|collect|cancel DIR` and the waiting launcher use
// it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiment/multirun_plan.h"
#include "experiment/summary.h"

namespace audify {

struct SweepState {
  std::filesystem::path dir;
  MultirunManifest manifest;
  std::vector<SummaryPoint> points;  // status: done, resumed, pending, running, failed (...)
  int pending = 0, running = 0, done = 0, resumed = 0, failed = 0;
  std::vector<std::string> active_jobs;  // job ids with tasks still queued or running

  bool active() const { return !active_jobs.empty(); }
  // "6 points: 1 pending, 2 running, 2 done, 1 failed" (and resumed, when any).
  std::string counts() const;
};

SweepState sweep_state(const std::filesystem::path& dir);

// Writes summary.csv and summary.md exactly as a local multirun does, and lists each failed point
// with the tail of its log on stderr. Returns the state it summarised.
SweepState collect_sweep(const std::filesystem::path& dir);

// scancel for every job of the sweep still queued; waits (up to `wait_seconds`) until none is left.
// Returns the jobs it cancelled.
std::vector<std::string> cancel_sweep(const std::filesystem::path& dir, double wait_seconds = 60);

// The last `lines` lines of a point's log (console.txt, else the SLURM output of its task).
std::string point_log_tail(const std::filesystem::path& dir, const SummaryPoint& point,
                           int lines = 10);

}  // namespace audify
