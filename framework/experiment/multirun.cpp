// Workers are processes, not threads: each point gets its own log, its own failure, and the
// parent survives a crashing point. Every point's config is composed and validated before any
// worker starts, so a bad override fails the whole command at once.
#include "experiment/multirun.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "config/sweep.h"
#include "config/toml_writer.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "experiment/run_config.h"
#include "experiment/run_data.h"
#include "experiment/run_dir.h"
#include "experiment/summary.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

struct Point {
  int index = 0;
  std::string name;
  std::vector<Override> overrides;
  std::vector<Override> swept;
  RunConfig config;
};

std::string short_key(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

std::string sanitize(const std::string& value) {
  std::string out;
  for (char ch : value) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_')
      out += ch;
    else if (ch == ',' || ch == ' ' || ch == '/')
      out += '-';
  }
  return out;
}

// Warms the dataset and the feature cache once per distinct input, before the workers start,
// so parallel points neither generate the synthetic set concurrently nor extract twice.
void prepare_inputs(const std::vector<Point*>& pending, bool progress) {
  std::set<std::string> seen;
  for (const Point* p : pending) {
    const RunConfig& c = p->config;
    if (!c.data.features.empty()) continue;
    toml::table key = run_config_table(c);
    const std::string text = to_toml_string(*key["data"].as_table()) +
                             to_toml_string(*key["features"].as_table()) + std::to_string(c.seed);
    if (!seen.insert(text).second) continue;
    (void)load_run_data(c, progress);
  }
}

pid_t spawn(const fs::path& exe, const Point& p, const fs::path& dir) {
  std::vector<std::string> args = {"audify", "run"};
  for (const Override& o : p.overrides) args.push_back(o.text);
  args.push_back("--run-dir");
  args.push_back(dir.string());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string console = (dir / "console.txt").string();
  const std::string exe_path = exe.string();
  const pid_t pid = ::fork();
  if (pid < 0) fail("multirun: fork failed for point {}", p.name);
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    const int fd = ::open(console.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execv(exe_path.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// overrides.txt text without launcher.* lines: how points run does not change what they compute.
std::string without_launcher(const std::string& text) {
  std::string out, line;
  std::istringstream in(text);
  while (std::getline(in, line))
    if (!line.starts_with("launcher.") && !line.starts_with("+launcher.") &&
        !line.starts_with("++launcher."))
      out += line + "\n";
  return out;
}

std::string exit_text(int status) {
  if (WIFEXITED(status)) return fmt::format("exit {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("signal {}", WTERMSIG(status));
  return "unknown status";
}

}  // namespace

std::string point_dir_name(int index, const std::vector<Override>& swept) {
  std::string name = std::to_string(index);
  std::string tail;
  for (const Override& o : swept)
    tail += (tail.empty() ? "" : ",") + short_key(o.key) + "=" +
            sanitize(o.has_value() ? o.value() : "");
  if (tail.size() > 80) tail.resize(80);
  return tail.empty() ? name : name + "_" + tail;
}

MultirunResult run_multirun(const MultirunRequest& req) {
  const std::vector<SweepPoint> expanded = expand_sweeps(req.overrides);
  std::vector<Point> points;
  for (std::size_t i = 0; i < expanded.size(); ++i) {
    Point p;
    p.index = static_cast<int>(i);
    p.overrides = expanded[i];
    AUDIFY_ASSERT(p.overrides.size() == req.overrides.size());  // expand_sweeps keeps positions
    for (std::size_t k = 0; k < p.overrides.size(); ++k)
      if (req.overrides[k].sweep) p.swept.push_back(p.overrides[k]);
    p.name = point_dir_name(p.index, p.swept);
    try {
      p.config = load_run_config(p.overrides);
    } catch (const Error& e) {
      fail("multirun point {} ({}): {}", p.index, overrides_text(p.swept), e.what());
    }
    points.push_back(std::move(p));
  }
  AUDIFY_ASSERT(!points.empty());

  MultirunResult result;
  result.points = static_cast<int>(points.size());
  const std::string command = overrides_text(req.overrides);
  if (!req.resume_dir.empty()) {
    result.dir = req.resume_dir;
    const fs::path recorded = result.dir / "overrides.txt";
    if (!fs::exists(recorded))
      fail("--resume {}: not a multirun folder (no overrides.txt)", result.dir.string());
    const std::string before = read_file(recorded);
    if (without_launcher(before) != without_launcher(command))
      fail(
          "--resume {}: the overrides differ from the ones it was started with (launcher.* may "
          "change):\n{}",
          result.dir.string(), before);
  } else {
    const RunConfig& first = points.front().config;
    result.dir = create_run_dir(first.output_root, first.experiment, "multirun_");
    write_file_atomic(result.dir / "overrides.txt", command);
  }
  result.dir = fs::absolute(result.dir);

  std::vector<Point*> pending;
  std::vector<SummaryPoint> summary;
  for (Point& p : points) {
    summary.push_back({p.index, p.name, {}, "done"});
    for (const Override& o : p.swept)
      summary.back().swept.emplace_back(o.key, o.has_value() ? o.value() : "");
    if (fs::exists(result.dir / p.name / "metrics.json")) {
      summary.back().status = "resumed";
      ++result.skipped;
      continue;
    }
    pending.push_back(&p);
  }
  int jobs = points.front().config.launcher.jobs;
  if (jobs <= 0) jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(pending.size())));
  spdlog::info("multirun {}: {} points ({} already done), {} at a time", result.dir.string(),
               points.size(), result.skipped, jobs);
  if (!pending.empty()) prepare_inputs(pending, req.progress);

  std::map<pid_t, Point*> running;
  std::size_t next = 0;
  int finished = 0;
  while (next < pending.size() || !running.empty()) {
    while (next < pending.size() && static_cast<int>(running.size()) < jobs) {
      Point* p = pending[next++];
      const fs::path dir = result.dir / p->name;
      fs::remove_all(dir);
      fs::create_directories(dir);
      running[spawn(req.executable, *p, dir)] = p;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) fail("multirun: waitpid failed");
    auto it = running.find(pid);
    if (it == running.end()) continue;
    Point* p = it->second;
    running.erase(it);
    ++finished;
    ++result.ran;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                    fs::exists(result.dir / p->name / "metrics.json");
    if (ok) {
      double test = 0;
      try {
        test = nlohmann::json::parse(read_file(result.dir / p->name / "metrics.json"))
                   .at("test")
                   .at("accuracy")
                   .get<double>();
      } catch (const std::exception&) {
        test = std::nan("");
      }
      spdlog::info("[{}/{}] point {} done: test accuracy {:.4f}", finished, pending.size(), p->name,
                   test);
    } else {
      ++result.failed;
      summary[p->index].status = "failed (" + exit_text(status) + ")";
      spdlog::error("[{}/{}] point {} failed ({}): see {}", finished, pending.size(), p->name,
                    exit_text(status), (result.dir / p->name / "console.txt").string());
    }
  }
  write_summary(result.dir, summary);
  return result;
}

}  // namespace audify
