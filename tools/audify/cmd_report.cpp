// `audify report RUN_OR_MULTIRUN_DIR... --out DIR`: report.md and a self-contained report.html.
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "commands.h"
#include "report/report_writer.h"

namespace audify::cli {

void add_report_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write report.md and a self-contained report.html comparing run and multirun directories");
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("dirs", *dirs, "Run directories (with metrics.json) or multirun folders")
      ->required();
  cmd->add_option("--out", *out, "Folder for report.md and report.html")->required();
  cmd->callback([dirs, out] {
    std::vector<std::filesystem::path> paths(dirs->begin(), dirs->end());
    write_report(paths, *out);
    const std::filesystem::path o(*out);
    fmt::print("wrote {} and {}\n", (o / "report.md").string(), (o / "report.html").string());
  });
}

}  // namespace audify::cli
