// `audify dataset info DIR [data=... data.key=...]`: what a dataset holds, the first thing to run
// on new data. The layout comes from a data= preset or data.layout=, else from what DIR looks like.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "config/override_parser.h"
#include "data/dataset.h"
#include "data/dataset_summary.h"
#include "experiment/run_config.h"

namespace audify::cli {
namespace {

struct DatasetInfoArgs {
  std::string root;
  std::vector<std::string> overrides;
  std::size_t list_limit = 20;
};

bool chooses_layout(const Override& o) {
  return o.key == "data" || o.key == "data.layout";
}

int run_dataset_info(const DatasetInfoArgs& args) {
  std::vector<Override> overrides = parse_overrides(args.overrides);
  for (const Override& o : overrides)
    if (!o.key.starts_with("data"))
      fail("'{}': only data=... and data.* overrides apply here", o.text);
  if (std::none_of(overrides.begin(), overrides.end(), chooses_layout))
    overrides.insert(overrides.begin(), parse_override("data=" + guess_layout(args.root)));
  overrides.push_back(parse_override("data.root=\"" + args.root + "\""));
  const RunConfig config = load_run_config(overrides);
  const Dataset dataset = load_dataset(config.data.root, config.data);
  const DatasetSummary summary = summarize_dataset(dataset);
  fmt::print("{}", format_dataset_summary(summary, args.list_limit));
  return summary.missing.empty() && summary.unreadable.empty() ? 0 : 1;
}

}  // namespace

void add_dataset_info_command(CLI::App& dataset) {
  auto args = std::make_shared<DatasetInfoArgs>();
  CLI::App* cmd = dataset.add_subcommand(
      "info",
      "What a dataset holds: clips per class and fold, formats, rates, durations, recordings per "
      "fold and across folds, missing or unreadable files (exit status 1 when any)\n"
      "  audify dataset info ../shared/data/esc10 data=esc10");
  cmd->add_option("root", args->root, "dataset root (a manifest: the CSV)")->required();
  cmd->add_option("overrides", args->overrides,
                  "data=<preset> and data.<key>=<value> overrides (configs/data/); without a "
                  "layout, the one DIR looks like");
  cmd->add_option("--list", args->list_limit, "file names shown per list")->capture_default_str();
  cmd->callback([args] {
    const int status = run_dataset_info(*args);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace audify::cli
