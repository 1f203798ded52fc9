// The local launcher. Workers are processes, not threads: each point gets its own log, its own
// failure, and the parent survives a crashing point.
#include "experiment/multirun.h"

#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/process.h"
#include "experiment/multirun_plan.h"
#include "experiment/slurm_launcher.h"
#include "experiment/summary.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

double test_accuracy(const fs::path& point_dir) {
  try {
    return nlohmann::json::parse(read_file(point_dir / "metrics.json"))
        .at("test")
        .at("accuracy")
        .get<double>();
  } catch (const std::exception&) {
    return std::nan("");
  }
}

MultirunResult run_local(const MultirunPlan& plan, const MultirunRequest& req) {
  MultirunResult result;
  result.dir = plan.dir;
  result.points = static_cast<int>(plan.points.size());
  result.skipped = plan.skipped;
  result.report = plan.points.front().config.report;
  const MultirunManifest manifest = record_submission(plan, "local", {"", plan.pending, ""});
  std::vector<SummaryPoint> summary = manifest.points;
  for (SummaryPoint& p : summary) p.status = "resumed";
  for (int index : plan.pending) summary[index].status = "done";

  int jobs = plan.points.front().config.launcher.jobs;
  if (jobs <= 0) jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(plan.pending.size())));
  spdlog::info("multirun {}: {} points ({} already done), {} at a time", plan.dir.string(),
               plan.points.size(), plan.skipped, jobs);
  if (!plan.pending.empty()) prepare_inputs(plan, req.progress);

  std::map<pid_t, const MultirunPoint*> running;
  std::size_t next = 0;
  int finished = 0;
  while (next < plan.pending.size() || !running.empty()) {
    while (next < plan.pending.size() && static_cast<int>(running.size()) < jobs) {
      const MultirunPoint& p = plan.points[plan.pending[next++]];
      const fs::path dir = plan.dir / p.name;
      prepare_point_dir(dir, p);
      running[spawn_process(point_command(req.executable, dir), dir / "console.txt")] = &p;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) fail("multirun: waitpid failed");
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const MultirunPoint& p = *it->second;
    running.erase(it);
    ++finished;
    ++result.ran;
    const fs::path dir = plan.dir / p.name;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && point_finished(dir)) {
      spdlog::info("[{}/{}] point {} done: test accuracy {:.4f}", finished, plan.pending.size(),
                   p.name, test_accuracy(dir));
    } else {
      ++result.failed;
      summary[p.index].status = "failed (" + exit_text(status) + ")";
      spdlog::error("[{}/{}] point {} failed ({}): see {}", finished, plan.pending.size(), p.name,
                    exit_text(status), (dir / "console.txt").string());
    }
  }
  write_summary(plan.dir, summary);
  return result;
}

}  // namespace

MultirunResult run_multirun(const MultirunRequest& req) {
  const MultirunPlan plan = plan_multirun(req.overrides, req.resume_dir);
  const LauncherOptions& launcher = plan.points.front().config.launcher;
  if (launcher.kind == "slurm") return run_slurm_multirun(plan, req);
  return run_local(plan, req);
}

}  // namespace audify
