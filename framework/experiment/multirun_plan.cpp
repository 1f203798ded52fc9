// Every point's config is composed and validated before anything runs, so a bad override fails the
// whole command at once, before a worker starts or a job is queued.
#include "experiment/multirun_plan.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <set>
#include <sstream>

#include "config/sweep.h"
#include "config/toml_writer.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "experiment/multirun.h"
#include "experiment/run_data.h"
#include "experiment/run_dir.h"
#include "experiment/runner.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

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

// overrides.txt text without the launcher's lines (launcher.* keys and the launcher= group): how
// points run does not change what they compute, so a local sweep may be resumed on SLURM.
std::string without_launcher(const std::string& text) {
  std::string out, line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    const std::size_t start = line.find_first_not_of("+~");
    const std::string key = start == std::string::npos ? "" : line.substr(start);
    if (!key.starts_with("launcher.") && !key.starts_with("launcher=") && key != "launcher")
      out += line + "\n";
  }
  return out;
}

}  // namespace

std::string overrides_folder_text(const std::vector<Override>& overrides) {
  std::string tail;
  for (const Override& o : overrides)
    tail += (tail.empty() ? "" : ",") + short_key(o.key) + "=" +
            sanitize(o.has_value() ? o.value() : "");
  if (tail.size() > 80) tail.resize(80);
  return tail;
}

std::string point_dir_name(int index, const std::vector<Override>& swept) {
  const std::string name = std::to_string(index);
  const std::string tail = overrides_folder_text(swept);
  return tail.empty() ? name : name + "_" + tail;
}

std::string run_dir_suffix(const std::string& model_kind, const std::vector<Override>& overrides) {
  std::vector<Override> shown;
  for (const Override& o : overrides) {
    // The experiment is the parent folder and the model is named first; where the run goes and
    // whether it writes a report do not change what it computes.
    if (o.key == "experiment" || o.key == "model" || o.key == "output_root" || o.key == "report" ||
        o.key.starts_with("launcher"))
      continue;
    shown.push_back(o);
  }
  const std::string tail = overrides_folder_text(shown);
  return tail.empty() ? model_kind : model_kind + "_" + tail;
}

MultirunPlan plan_multirun(const std::vector<Override>& overrides, const fs::path& resume_dir) {
  const std::vector<SweepPoint> expanded = expand_sweeps(overrides);
  MultirunPlan plan;
  std::set<std::vector<std::string>> logged_files;
  for (std::size_t i = 0; i < expanded.size(); ++i) {
    MultirunPoint p;
    p.index = static_cast<int>(i);
    p.overrides = expanded[i];
    AUDIFY_ASSERT(p.overrides.size() == overrides.size());  // expand_sweeps keeps positions
    for (std::size_t k = 0; k < p.overrides.size(); ++k)
      if (overrides[k].sweep) p.swept.push_back(p.overrides[k]);
    p.name = point_dir_name(p.index, p.swept);
    try {
      p.config = load_run_config(p.overrides);
    } catch (const Error& e) {
      fail("multirun point {} ({}): {}", p.index, overrides_text(p.swept), e.what());
    }
    if (logged_files.insert(p.config.config_files).second) log_config_files(p.config);
    plan.points.push_back(std::move(p));
  }
  AUDIFY_ASSERT(!plan.points.empty());

  const std::string command = overrides_text(overrides);
  if (!resume_dir.empty()) {
    plan.dir = resume_dir;
    const fs::path recorded = plan.dir / "overrides.txt";
    if (!fs::exists(recorded))
      fail("--resume {}: not a multirun folder (no overrides.txt)", plan.dir.string());
    const std::string before = read_file(recorded);
    if (without_launcher(before) != without_launcher(command))
      fail(
          "--resume {}: the overrides differ from the ones it was started with (launcher.* may "
          "change):\n{}",
          plan.dir.string(), before);
  } else {
    const RunConfig& first = plan.points.front().config;
    plan.dir = create_run_dir(first.output_root, first.experiment, "multirun_");
    write_file_atomic(plan.dir / "overrides.txt", command);
  }
  plan.dir = fs::absolute(plan.dir);
  for (const MultirunPoint& p : plan.points) {
    if (point_finished(plan.dir / p.name))
      ++plan.skipped;
    else
      plan.pending.push_back(p.index);
  }
  return plan;
}

bool point_finished(const fs::path& point_dir) {
  return fs::exists(point_dir / "metrics.json");
}

void prepare_point_dir(const fs::path& point_dir, const MultirunPoint& point) {
  fs::remove_all(point_dir);
  fs::create_directories(point_dir);
  write_file_atomic(point_dir / "config.toml", resolved_config_text(point.config));
  write_file_atomic(point_dir / "overrides.txt", overrides_text(point.overrides));
}

void prepare_inputs(const MultirunPlan& plan, bool progress) {
  std::set<std::string> seen;
  for (int index : plan.pending) {
    const RunConfig& c = plan.points[index].config;
    if (!c.data.features.empty()) continue;
    toml::table key = run_config_table(c);
    const std::string text = to_toml_string(*key["data"].as_table()) +
                             to_toml_string(*key["features"].as_table()) + std::to_string(c.seed);
    if (!seen.insert(text).second) continue;
    (void)load_run_data(c, progress);
  }
}

std::vector<std::string> point_command(const fs::path& executable, const fs::path& point_dir) {
  return {executable.string(), "run",
          "--run-dir",         point_dir.string(),
          "--point-config",    (point_dir / "config.toml").string()};
}

RunConfig load_point_config(const fs::path& config_file) {
  ComposedConfig composed;
  try {
    composed.table = toml::parse_file(config_file.string());
  } catch (const toml::parse_error& e) {
    fail("{}: not a readable config: {}", config_file.string(), e.description());
  }
  for (const auto& [key, node] : composed.table)
    composed.provenance.record(std::string(key.str()), node, config_file.string());
  return resolve_run_config(composed);
}

std::vector<Override> load_point_overrides(const fs::path& point_dir) {
  const fs::path file = point_dir / "overrides.txt";
  if (!fs::exists(file)) return {};
  std::vector<std::string> lines;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return parse_overrides(lines);
}

void write_manifest(const fs::path& dir, const MultirunManifest& m) {
  nlohmann::json j;
  j["launcher"] = m.launcher;
  j["points"] = nlohmann::json::array();
  for (const SummaryPoint& p : m.points)
    j["points"].push_back({{"index", p.index}, {"name", p.name}, {"swept", p.swept}});
  j["submissions"] = nlohmann::json::array();
  for (const MultirunSubmission& s : m.submissions)
    j["submissions"].push_back(
        {{"job_id", s.job_id}, {"points", s.points}, {"submitted_at", s.submitted_at}});
  write_file_atomic(dir / "multirun.json", j.dump(2) + "\n");
}

MultirunManifest read_manifest(const fs::path& dir) {
  const fs::path file = dir / "multirun.json";
  if (!fs::exists(file)) fail("{}: not a multirun folder (no multirun.json)", dir.string());
  MultirunManifest m;
  try {
    const nlohmann::json j = nlohmann::json::parse(read_file(file));
    m.launcher = j.at("launcher").get<std::string>();
    for (const auto& p : j.at("points"))
      m.points.push_back({p.at("index").get<int>(), p.at("name").get<std::string>(),
                          p.at("swept").get<std::vector<std::pair<std::string, std::string>>>(),
                          ""});
    for (const auto& s : j.at("submissions"))
      m.submissions.push_back({s.at("job_id").get<std::string>(),
                               s.at("points").get<std::vector<int>>(),
                               s.at("submitted_at").get<std::string>()});
  } catch (const nlohmann::json::exception& e) {
    fail("{}: unreadable manifest: {}", file.string(), e.what());
  }
  return m;
}

MultirunManifest record_submission(const MultirunPlan& plan, const std::string& launcher,
                                   MultirunSubmission submission) {
  MultirunManifest m;
  if (fs::exists(plan.dir / "multirun.json")) m = read_manifest(plan.dir);
  m.launcher = launcher;
  m.points.clear();
  for (const MultirunPoint& p : plan.points) {
    m.points.push_back({p.index, p.name, {}, ""});
    for (const Override& o : p.swept)
      m.points.back().swept.emplace_back(o.key, o.has_value() ? o.value() : "");
  }
  submission.submitted_at = timestamp_now();
  m.submissions.push_back(std::move(submission));
  write_manifest(plan.dir, m);
  return m;
}

}  // namespace audify
