// A point's status comes from the files it leaves, so the same rules hold for local and SLURM
// sweeps and for a folder looked at days later: metrics.json (written last by a run) means done;
// an exit_status file without it means the run failed; no file at all means the task never ended
// by itself (cancelled, out of time or memory, node lost) unless SLURM still has it queued.
#include "experiment/sweep_status.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "experiment/slurm_commands.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string failure_status(const fs::path& point_dir, const std::string& job_id, int index,
                           std::optional<std::map<int, std::string>>& accounted) {
  if (fs::exists(point_dir / "exit_status"))
    return "failed (exit " + trimmed(read_file(point_dir / "exit_status")) + ")";
  if (job_id.empty()) return "failed (no result)";
  if (!accounted) accounted = slurm::accounted_tasks(job_id);
  if (accounted && accounted->count(index)) return "failed (" + accounted->at(index) + ")";
  return "failed (no result: cancelled, out of time or memory, or the node was lost)";
}

}  // namespace

std::string SweepState::counts() const {
  std::string out = fmt::format("{} points: {} pending, {} running, {} done, {} failed",
                                points.size(), pending, running, done, failed);
  if (resumed > 0) out += fmt::format(" ({} finished before)", resumed);
  return out;
}

SweepState sweep_state(const fs::path& dir) {
  SweepState s;
  s.dir = fs::absolute(dir);
  s.manifest = read_manifest(s.dir);
  const auto& subs = s.manifest.submissions;
  // Each point belongs to the last submission that ran it.
  std::map<int, const MultirunSubmission*> owner;
  for (const MultirunSubmission& sub : subs)
    for (int index : sub.points) owner[index] = &sub;
  std::map<std::string, std::map<int, std::string>> queued;
  for (const MultirunSubmission& sub : subs)
    if (!sub.job_id.empty() && !queued.count(sub.job_id)) {
      queued[sub.job_id] = slurm::queued_tasks(sub.job_id);
      if (!queued[sub.job_id].empty()) s.active_jobs.push_back(sub.job_id);
    }
  std::map<std::string, std::optional<std::map<int, std::string>>> accounted;

  s.points = s.manifest.points;
  for (SummaryPoint& p : s.points) {
    const fs::path point_dir = s.dir / p.name;
    const auto it = owner.find(p.index);
    const MultirunSubmission* sub = it == owner.end() ? nullptr : it->second;
    const bool latest = !subs.empty() && sub == &subs.back();
    if (point_finished(point_dir)) {
      p.status = sub && latest ? "done" : "resumed";
      ++(p.status == "done" ? s.done : s.resumed);
      continue;
    }
    if (!sub) {
      p.status = "not run";
      ++s.pending;
      continue;
    }
    if (!sub->job_id.empty()) {
      const auto& tasks = queued[sub->job_id];
      if (const auto t = tasks.find(p.index); t != tasks.end()) {
        const bool waiting = t->second == "PENDING" || t->second == "REQUEUED" ||
                             t->second == "SUSPENDED" || t->second == "CONFIGURING";
        p.status = waiting ? "pending" : "running";
        ++(waiting ? s.pending : s.running);
        continue;
      }
    }
    p.status = failure_status(point_dir, sub->job_id, p.index, accounted[sub->job_id]);
    ++s.failed;
  }
  return s;
}

std::string point_log_tail(const fs::path& dir, const SummaryPoint& point, int lines) {
  fs::path log = dir / point.name / "console.txt";
  if (!fs::exists(log) || fs::file_size(log) == 0) {
    // The task's own SLURM output (script errors, a binary missing on the node).
    log.clear();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir / "slurm", ec))
      if (e.path().filename().string().ends_with("_" + std::to_string(point.index) + ".out"))
        log = e.path();
  }
  if (log.empty() || !fs::exists(log)) return "(no log)";
  const std::string text = trimmed(read_file(log));
  std::size_t start = text.size();
  for (int n = 0; n < lines && start > 0; ++n) {
    start = text.rfind('\n', start - 1);
    if (start == std::string::npos) {
      start = 0;
      break;
    }
  }
  return log.string() + ":\n" + text.substr(start == 0 ? 0 : start + 1);
}

SweepState collect_sweep(const fs::path& dir) {
  SweepState s = sweep_state(dir);
  write_summary(s.dir, s.points);
  for (const SummaryPoint& p : s.points)
    if (p.status.starts_with("failed"))
      spdlog::error("point {} {}; the end of its log, {}", p.name, p.status,
                    point_log_tail(s.dir, p));
  return s;
}

std::vector<std::string> cancel_sweep(const fs::path& dir, double wait_seconds) {
  std::vector<std::string> jobs = sweep_state(dir).active_jobs;
  if (jobs.empty()) return jobs;
  slurm::scancel(jobs);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_seconds);
  while (sweep_state(dir).active()) {
    if (std::chrono::steady_clock::now() > deadline)
      fail("{}: jobs {} are still queued {:.0f} s after scancel", dir.string(),
           fmt::join(jobs, ","), wait_seconds);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return jobs;
}

}  // namespace audify
