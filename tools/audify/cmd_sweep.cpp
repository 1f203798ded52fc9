// `audify sweep status|collect|cancel DIR`: a multirun folder looked at from any shell, after the
// command that started it has returned (`--no-wait`) or gone (a closed login session).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "commands.h"
#include "core/atomic_file.h"
#include "experiment/sweep_status.h"

namespace audify::cli {
namespace {

int print_status(const std::string& dir) {
  const SweepState s = sweep_state(dir);
  fmt::print("multirun directory: {}\nlauncher: {}", s.dir.string(), s.manifest.launcher);
  if (!s.manifest.submissions.empty() && !s.manifest.submissions.back().job_id.empty())
    fmt::print(", job {}", s.manifest.submissions.back().job_id);
  fmt::print("\n{}\n\n", s.counts());
  for (const SummaryPoint& p : s.points)
    fmt::print("{:>4}  {:<40}  {}\n", p.index, p.name, p.status);
  return 0;
}

int collect(const std::string& dir) {
  const SweepState s = collect_sweep(dir);
  fmt::print("multirun directory: {}\n{}\n\n", s.dir.string(), s.counts());
  fmt::print("{}", read_file(s.dir / "summary.md"));
  if (s.active())
    fmt::print("\njobs {} are still queued: collect again when they end\n",
               fmt::join(s.active_jobs, ","));
  return s.failed == 0 && !s.active() ? 0 : 1;
}

int cancel(const std::string& dir) {
  const std::vector<std::string> jobs = cancel_sweep(dir);
  if (jobs.empty())
    fmt::print("nothing to cancel: no job of {} is queued or running\n", dir);
  else
    fmt::print("cancelled jobs {}; no task is left in the queue\n", fmt::join(jobs, ","));
  return 0;
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Look after a multirun folder (audify run -m) from any shell: its state, its summary, or "
      "cancelling its SLURM jobs\n"
      "  audify sweep status DIR     each point: pending, running, done or failed (squeue + "
      "result files)\n"
      "  audify sweep collect DIR    write summary.csv/summary.md as a finished multirun does; "
      "failed points with the end of their log\n"
      "  audify sweep cancel DIR     scancel the sweep's job arrays and wait until none is left");
  cmd->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  const auto add = [&](const char* name, const char* help, int (*action)(const std::string&)) {
    CLI::App* sub = cmd->add_subcommand(name, help);
    sub->add_option("dir", *dir, "the multirun folder")->required();
    sub->callback([dir, action] {
      const int status = action(*dir);
      if (status != 0) throw CLI::RuntimeError(status);
    });
  };
  add("status", "print the state of every point", print_status);
  add("collect", "write summary.csv and summary.md; exit 1 when a point failed", collect);
  add("cancel", "cancel every queued or running task of the sweep (scancel)", cancel);
}

}  // namespace audify::cli
