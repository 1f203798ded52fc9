// Output formats are requested explicitly (-h -o / -n -P -o), so parsing never depends on the
// site's SQUEUE_FORMAT or column widths.
#include "experiment/slurm_commands.h"

#include <sys/wait.h>

#include <sstream>

#include "core/error.h"
#include "core/process.h"

namespace audify::slurm {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

ProcessOutput run_client(const std::vector<std::string>& argv) {
  ProcessOutput out = run_process(argv);
  if (WIFEXITED(out.status) && WEXITSTATUS(out.status) == 127)
    fail("{}: SLURM's client commands are not on PATH ({})", argv[0], trimmed(out.output));
  return out;
}

// "17" from "17" and "17_3" -> 3; std::nullopt for a line that is not one task of the job.
std::optional<int> task_of(const std::string& field) {
  try {
    std::size_t used = 0;
    const int task = std::stoi(field, &used);
    if (used == field.size() && task >= 0) return task;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace

std::string sbatch(const std::filesystem::path& script) {
  const ProcessOutput out = run_client({"sbatch", "--parsable", script.string()});
  if (!out.ok())
    fail("sbatch {} failed ({}): {}", script.string(), exit_text(out.status), trimmed(out.output));
  // --parsable prints "<job id>[;<cluster>]" on its last line (warnings may come first).
  std::string last = trimmed(out.output);
  if (const auto nl = last.rfind('\n'); nl != std::string::npos) last = last.substr(nl + 1);
  const std::string id = last.substr(0, last.find(';'));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    fail("sbatch {}: unexpected reply '{}'", script.string(), trimmed(out.output));
  return id;
}

std::map<int, std::string> queued_tasks(const std::string& job_id) {
  const ProcessOutput out = run_client({"squeue", "-h", "-r", "-j", job_id, "-o", "%K %T"});
  std::map<int, std::string> tasks;
  if (!out.ok()) {
    // A job the controller has already forgotten is not an error: it is no longer queued.
    if (out.output.find("Invalid job id") != std::string::npos) return tasks;
    fail("squeue -j {} failed ({}): {}", job_id, exit_text(out.status), trimmed(out.output));
  }
  std::istringstream in(out.output);
  std::string task, state;
  while (in >> task >> state)
    if (const auto t = task_of(task)) tasks[*t] = state;
  return tasks;
}

std::optional<std::map<int, std::string>> accounted_tasks(const std::string& job_id) {
  ProcessOutput out;
  try {
    out = run_client({"sacct", "-n", "-P", "-X", "-j", job_id, "-o", "JobID,State"});
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!out.ok()) return std::nullopt;
  std::map<int, std::string> tasks;
  std::istringstream in(out.output);
  for (std::string line; std::getline(in, line);) {
    const auto bar = line.find('|');
    const auto under = line.find('_');
    if (bar == std::string::npos || under == std::string::npos || under > bar) continue;
    if (const auto t = task_of(line.substr(under + 1, bar - under - 1)))
      tasks[*t] = line.substr(bar + 1, line.find(' ', bar) - bar - 1);  // "CANCELLED by 0"
  }
  return tasks;
}

void scancel(const std::vector<std::string>& job_ids) {
  if (job_ids.empty()) return;
  std::vector<std::string> argv = {"scancel"};
  argv.insert(argv.end(), job_ids.begin(), job_ids.end());
  const ProcessOutput out = run_client(argv);
  if (!out.ok()) fail("scancel failed ({}): {}", exit_text(out.status), trimmed(out.output));
}

std::string array_list(const std::vector<int>& indices) {
  std::string out;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += std::to_string(indices[i]);
    if (j > i) out += "-" + std::to_string(indices[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace audify::slurm
