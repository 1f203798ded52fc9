// Loading the report's inputs, the Markdown rendering, and writing both files. The HTML rendering
// lives in report_html.cpp; both walk the same sections in the same order.
#include "report/report_writer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/architecture_tables.h"
#include "report/published_figures.h"
#include "report/report_tables.h"
#include "report/study_table.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

std::string md_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string md_table(const Table& t) {
  std::string s = "|";
  for (const std::string& h : t.header) s += " " + md_cell(h) + " |";
  s += "\n|";
  for (std::size_t i = 0; i < t.header.size(); ++i) s += "---|";
  s += "\n";
  for (const auto& row : t.rows) {
    s += "|";
    for (const std::string& c : row) s += " " + md_cell(c) + " |";
    s += "\n";
  }
  return s + "\n";
}

void md_run(std::string& s, const RunResults& r, const std::string& heading) {
  s += fmt::format("{} {}\n\n", heading, r.label);
  s += run_headline(r) + "\n\n";
  if (r.folds.size() > 1) s += "**Per-split accuracy**\n\n" + md_table(fold_table(r));
  if (r.folds.size() == 1 && !r.folds[0].test_class_clips.empty())
    s += "**Class balance** (clips per side)\n\n" + md_table(class_balance_table(r));
  if (!r.per_class.empty())
    s += "**Per-class scores** (pooled test predictions)\n\n" + md_table(per_class_table(r));
  if (!r.confusion.empty())
    s += "**Confusion matrix**, counts (rows: true class, columns: predicted)\n\n" +
         md_table(confusion_table(r)) +
         "**Confusion matrix**, row-normalised (% of each true class; recall on the diagonal)\n\n" +
         md_table(confusion_percent_table(r));
  if (!r.history.empty())
    s += "**Learning curve** (history.csv" +
         std::string(r.folds.size() > 1 ? ", mean over splits" : "") + "; " + curve_train_note(r) +
         ")\n\n" + md_table(learning_curve_table(r));
  if (!r.hyperparameters.empty())
    s += "**Hyperparameters** (config.toml)\n\n" + md_table(hyperparameter_table(r));
  s += "**Provenance**\n\n" + md_table(provenance_table(r));
}

}  // namespace

std::vector<const RunResults*> ReportInputs::all_runs() const {
  std::vector<const RunResults*> out;
  for (const RunResults& r : runs) out.push_back(&r);
  for (const MultirunResults& m : multiruns)
    for (const RunResults& p : m.points) out.push_back(&p);
  return out;
}

namespace {

// Adds `d` (a run, multirun, failed or unfinished run) to `in`; returns false for any other folder.
// A folder already added (named twice, or a run inside an experiment folder also named) is skipped.
bool add_run_folder(const fs::path& d, ReportInputs& in, std::set<fs::path>& seen) {
  const bool known = is_run_dir(d) || is_multirun_dir(d) || unfinished_run(d);
  if (known && !seen.insert(fs::weakly_canonical(d)).second) return true;
  if (is_run_dir(d)) {
    in.runs.push_back(load_run_results(d));
  } else if (is_multirun_dir(d)) {
    in.multiruns.push_back(load_multirun_results(d));
  } else if (const std::optional<std::string> why = unfinished_run(d)) {
    in.skipped.push_back(fmt::format("{}: {}", d.string(), *why));
  } else {
    return false;
  }
  return true;
}

// An experiment folder (<output_root>/<experiment>/) or the output root above it: every run and
// multirun below, in name order; folders that are neither are noted, not fatal.
bool add_folder_tree(const fs::path& d, int depth, ReportInputs& in, std::set<fs::path>& seen) {
  if (add_run_folder(d, in, seen)) return true;
  if (depth == 0) return false;
  std::vector<fs::path> children;
  for (const auto& e : fs::directory_iterator(d))
    if (e.is_directory()) children.push_back(e.path());
  std::sort(children.begin(), children.end());
  bool any = false;
  for (const fs::path& child : children) {
    if (add_folder_tree(child, depth - 1, in, seen))
      any = true;
    else
      in.skipped.push_back(
          fmt::format("{}: not a run (no metrics.json, FAILED or config.toml)", child.string()));
  }
  return any;
}

}  // namespace

ReportInputs load_report_inputs(const std::vector<fs::path>& dirs) {
  if (dirs.empty()) fail("report: no run directories given");
  ReportInputs in;
  std::set<fs::path> seen;
  for (fs::path d : dirs) {
    if (!d.has_filename()) d = d.parent_path();  // "run/" names the run by its folder, not ""
    if (!fs::is_directory(d))
      fail(
          "{}: {}", d.string(),
          fs::exists(d) ? "a file, not a run, multirun or experiment folder" : "no such directory");
    if (!add_folder_tree(d, 2, in, seen))
      fail(
          "{}: not a run directory (no metrics.json), a multirun folder (no summary.csv) nor an "
          "experiment folder holding runs",
          d.string());
  }
  if (in.runs.empty() && in.multiruns.empty())
    fail("report: none of the {} folders holds a finished run ({})", dirs.size(),
         in.skipped.front());
  // Runs started in the same second under different roots share a folder name: name those by
  // their experiment and output folders too, so every row and section names one run.
  std::map<std::string, int> uses;
  for (const RunResults& r : in.runs) ++uses[r.label];
  for (RunResults& r : in.runs)
    if (uses[r.label] > 1)
      r.label = (r.dir.parent_path().parent_path().filename() / r.dir.parent_path().filename() /
                 r.dir.filename())
                    .string();
  return in;
}

std::string report_markdown(const ReportInputs& in) {
  std::string s = "# Audify report\n\n";
  if (const Table study = study_table(in.all_runs()); !study.rows.empty()) {
    s += "## Protocol × model\n\n" + std::string(kStudyNote) + "\n\n" + md_table(study);
    s += std::string(kSpreadNote) + ".\n\n";
  }
  s += "## Accuracy\n\n";
  s += fmt::format(
      "Measured runs (accuracies in %; {}; leak: test clips with a slice of the same recording "
      "in train).\n\n",
      kSpreadNote);
  s += md_table(accuracy_table(in.all_runs()));
  if (const Table published = published_table(in.all_runs()); !published.rows.empty()) {
    s += "Reference figures — **published, not measured** by these runs:\n\n";
    s += md_table(published);
  }
  if (!in.skipped.empty()) {
    s += "Skipped (failed or unfinished runs):\n\n";
    for (const std::string& note : in.skipped) s += "- " + md_cell(note) + "\n";
    s += "\n";
  }
  if (in.all_runs().size() > 1) {
    s += fmt::format("## Architectures\n\n{}\n\n", kArchitecturesNote);
    s += md_table(architectures_table(in.all_runs()));
    const Table paired = paired_differences_table(in.all_runs());
    if (!paired.rows.empty()) {
      s += fmt::format("{}\n\n", kPairedNote);
      s += md_table(paired);
    }
  }
  for (const MultirunResults& m : in.multiruns) {
    s += fmt::format("## Multirun {}\n\n{}\n\n", m.dir.filename().string(),
                     multirun_ranking_note(m));
    s += md_table(multirun_table(m));
  }
  s += "## Runs\n\n";
  for (const RunResults* r : in.all_runs()) md_run(s, *r, "###");
  return s;
}

void write_report(const std::vector<fs::path>& dirs, const fs::path& out_dir) {
  const ReportInputs in = load_report_inputs(dirs);
  for (const std::string& note : in.skipped) spdlog::warn("report: skipped {}", note);
  write_file_atomic(out_dir / "report.md", report_markdown(in));
  write_file_atomic(out_dir / "report.html", report_html(in));
}

}  // namespace audify
