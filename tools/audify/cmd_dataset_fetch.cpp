// `audify dataset fetch urbansound8k|esc50 --to DIR`: downloads a public dataset, checks it file by
// file against the committed index and leaves the layout `data=<name>` reads.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "commands.h"
#include "data/fetch/dataset_fetch.h"

namespace audify::cli {

void add_dataset_fetch_command(CLI::App& dataset) {
  CLI::App* cmd = dataset.add_subcommand(
      "fetch", "Download a public dataset (resumable), verify every file, unpack it to --to");
  auto name = std::make_shared<std::string>();
  auto options = std::make_shared<FetchOptions>();
  cmd->add_option("dataset", *name, "urbansound8k (Zenodo, 6 GB) or esc50 (GitHub, 600 MB)")
      ->required()
      ->check(CLI::IsMember(dataset_source_names()));
  cmd->add_option("--to", options->to, "Dataset root to create (must be absent or empty)")
      ->required();
  cmd->add_option("--url", options->url,
                  "Archive URL instead of the publisher's (a mirror; $AUDIFY_FETCH_BASE_URL "
                  "gives a base URL the archive's name is appended to)");
  cmd->add_flag("--keep-archive", options->keep_archive,
                "Keep the downloaded archive beside the dataset root");
  cmd->add_flag("--force", options->force, "Replace a non-empty dataset root");
  cmd->callback([name, options] {
    const DatasetSource& source = dataset_source(*name);
    const FetchResult result = fetch_dataset(source, committed_file_index(source), *options);
    fmt::print("fetch: {} -> {} ({} files, {} checked against the index, archive {} bytes{})\n",
               source.name, result.root.string(), result.files, result.files_verified,
               result.archive_bytes,
               result.kept_archive ? ", kept at " + result.kept_archive->string() : "");
  });
}

}  // namespace audify::cli
