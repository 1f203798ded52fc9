// Submission, waiting and Ctrl-C for launcher=slurm. Every state comes from sweep_status.h, so the
// waiting command and a later `audify sweep status DIR` always agree.
#include "experiment/slurm_launcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "experiment/slurm_commands.h"
#include "experiment/sweep_status.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

std::atomic<int> g_interrupted{0};
extern "C" void on_interrupt(int signal) {
  g_interrupted = signal;
}

// While alive, SIGINT and SIGTERM set g_interrupted instead of ending the process.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

// A single-quoted shell word.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char ch : text) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

MultirunResult result_of(const SweepState& s, const std::string& job_id, int ran) {
  MultirunResult r;
  r.dir = s.dir;
  r.points = static_cast<int>(s.points.size());
  r.ran = ran;
  r.skipped = s.resumed;
  r.failed = s.failed;
  r.job_id = job_id;
  r.finished = !s.active();
  return r;
}

}  // namespace

std::string slurm_array_script(const MultirunPlan& plan, const std::vector<int>& points,
                               const SlurmOptions& o, const fs::path& executable,
                               const fs::path& working_dir) {
  std::string array = slurm::array_list(points);
  if (o.array_parallelism > 0) array += "%" + std::to_string(o.array_parallelism);
  std::string s =
      "#!/bin/bash\n"
      "# Written by `audify run -m ... launcher=slurm`: task N of this array runs point N of\n"
      "# multirun.json; its output goes to <point>/console.txt, its exit code to\n"
      "# <point>/exit_status. Re-submit with `audify run -m ... --resume DIR` (unfinished points\n"
      "# only), never with sbatch directly.\n";
  const RunConfig& first = plan.points.front().config;
  s += fmt::format("#SBATCH --job-name=audify-{}\n", first.experiment);
  s += fmt::format("#SBATCH --array={}\n", array);
  s += fmt::format("#SBATCH --output={}\n", (plan.dir / "slurm" / "%A_%a.out").string());
  s += fmt::format("#SBATCH --chdir={}\n", working_dir.string());
  s += fmt::format("#SBATCH --cpus-per-task={}\n", o.cpus_per_task);
  if (!o.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (!o.time.empty()) s += fmt::format("#SBATCH --time={}\n", o.time);
  if (!o.mem.empty()) s += fmt::format("#SBATCH --mem={}\n", o.mem);
  if (o.gpus_per_task > 0) s += fmt::format("#SBATCH --gpus-per-task={}\n", o.gpus_per_task);
  for (const std::string& extra : o.extra) s += "#SBATCH " + extra + "\n";
  s += "\nset -u\ncase \"$SLURM_ARRAY_TASK_ID\" in\n";
  for (int index : points)
    s += fmt::format("  {}) point={} ;;\n", index, quoted(plan.points[index].name));
  s += "  *) echo \"no multirun point $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n";
  s += "dir=" + quoted(plan.dir.string()) + "/\"$point\"\n";
  s += quoted(executable.string()) +
       " run --run-dir \"$dir\" --point-config \"$dir/config.toml\" >\"$dir/console.txt\" 2>&1\n"
       "status=$?\n"
       "echo \"$status\" >\"$dir/exit_status\"\n"
       "exit \"$status\"\n";
  return s;
}

bool wait_for_sweep(const fs::path& dir, double poll_seconds) {
  InterruptGuard guard;
  std::string last;
  for (;;) {
    const SweepState s = sweep_state(dir);
    if (s.counts() != last) spdlog::info("{}", last = s.counts());
    if (!s.active()) return true;
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(poll_seconds);
    while (std::chrono::steady_clock::now() < until && !g_interrupted)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_interrupted) {
      spdlog::warn("interrupted: cancelling jobs {} (scancel)", fmt::join(s.active_jobs, ","));
      cancel_sweep(dir);
      spdlog::info("{}", sweep_state(dir).counts());
      return false;
    }
  }
}

MultirunResult run_slurm_multirun(const MultirunPlan& plan, const MultirunRequest& req) {
  const SlurmOptions& options = plan.points.front().config.launcher.slurm;
  if (fs::exists(plan.dir / "multirun.json")) {
    const SweepState before = sweep_state(plan.dir);
    if (before.active())
      fail(
          "{}: jobs {} of this sweep are still queued; wait for them or run `audify sweep "
          "cancel {}` before re-submitting",
          plan.dir.string(), fmt::join(before.active_jobs, ","), plan.dir.string());
  }
  spdlog::info("multirun {}: {} points ({} already done), launcher slurm", plan.dir.string(),
               plan.points.size(), plan.skipped);
  if (plan.pending.empty()) {
    if (!fs::exists(plan.dir / "multirun.json")) record_submission(plan, "slurm", {});
    return result_of(collect_sweep(plan.dir), "", 0);
  }
  prepare_inputs(plan, req.progress);
  for (int index : plan.pending)
    prepare_point_dir(plan.dir / plan.points[index].name, plan.points[index]);
  fs::create_directories(plan.dir / "slurm");
  const fs::path script = plan.dir / "array.sbatch";
  write_file_atomic(script, slurm_array_script(plan, plan.pending, options,
                                               fs::canonical(req.executable), fs::current_path()));
  const std::string job_id = slurm::sbatch(script);
  record_submission(plan, "slurm", {job_id, plan.pending, ""});
  spdlog::info("submitted job array {}: {} tasks ({}); outputs in {}", job_id, plan.pending.size(),
               slurm::array_list(plan.pending), plan.dir.string());
  const int ran = static_cast<int>(plan.pending.size());
  if (!req.wait) return result_of(sweep_state(plan.dir), job_id, ran);
  const bool completed = wait_for_sweep(plan.dir, options.poll_seconds);
  MultirunResult r = result_of(collect_sweep(plan.dir), job_id, ran);
  if (!completed) r.failed = std::max(r.failed, 1);
  return r;
}

}  // namespace audify
