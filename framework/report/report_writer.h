// `audify report`: one Markdown and one self-contained HTML page (inline CSS and SVG, no scripts,
// no network) comparing run and multirun directories with each other and with published figures.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report/run_results.h"

namespace audify {

struct ReportInputs {
  std::vector<RunResults> runs;            // plain run directories, in command-line order
  std::vector<MultirunResults> multiruns;  // multirun folders, in command-line order
  std::vector<std::string> skipped;        // "<folder>: <why>" for failed or unfinished runs
  // Every run, the multiruns' points included, in report order.
  std::vector<const RunResults*> all_runs() const;
};

// Each directory is a run directory, a multirun folder, an experiment folder holding them
// (<output_root>/<experiment>/) or the output root above those. Failed or unfinished runs, and
// folders inside an experiment folder that are no run, are skipped with a note in `skipped`; a
// folder named twice (or a run also inside a named experiment folder) is reported once. Throws
// audify::Error naming a directory that holds no run at all, or when nothing is left to report.
ReportInputs load_report_inputs(const std::vector<std::filesystem::path>& dirs);

std::string report_markdown(const ReportInputs& inputs);
std::string report_html(const ReportInputs& inputs);

// Writes <out_dir>/report.md and <out_dir>/report.html atomically.
void write_report(const std::vector<std::filesystem::path>& dirs,
                  const std::filesystem::path& out_dir);

}  // namespace audify
