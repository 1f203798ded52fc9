#include "data/fetch/dataset_fetch.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstdlib>

#include "config/paths.h"
#include "core/error.h"
#include "core/progress.h"
#include "data/fetch/archive_extract.h"
#include "data/fetch/md5.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

// UrbanSound8K: Zenodo record 1203745, whose md5 is the publisher's. ESC-50: the GitHub archive of
// the release's repository; GitHub publishes no checksum for it (and regenerates it whenever the
// branch moves), so its integrity rests on the per-file index alone.
const std::array<DatasetSource, 2> kSources = {{
    {"urbansound8k", "https://zenodo.org/records/1203745/files/UrbanSound8K.tar.gz?download=1",
     "UrbanSound8K.tar.gz", "9aa69802bbf37fb986f71ec1483a196e", "UrbanSound8K"},
    {"esc50", "https://github.com/karolpiczak/ESC-50/archive/master.zip", "ESC-50-master.zip", "",
     "ESC-50-master"},
}};

fs::path without_trailing_slash(const fs::path& path) {
  const fs::path normal = fs::absolute(path).lexically_normal();
  return normal.has_filename() ? normal : normal.parent_path();
}

void check_archive_md5(const DatasetSource& source, const fs::path& archive,
                       const std::string& url) {
  if (source.archive_md5.empty()) return;
  Progress progress("verify " + archive.filename().string(), fs::file_size(archive), "bytes");
  const std::string actual = md5_file_hex(archive, &progress);
  progress.finish();
  if (actual == source.archive_md5) return;
  fs::remove(archive);
  std::error_code ignored;
  fs::remove(archive.parent_path(), ignored);  // the staging folder, now empty
  fail(
      "{}: archive checksum mismatch (downloaded from {}): md5 {}, the publisher gives {}; the "
      "archive was deleted, so running again downloads it afresh",
      archive.string(), url, actual, source.archive_md5);
}

// Puts the verified tree at `root`, replacing what is there only now that the new one is whole.
void install_tree(const fs::path& tree, const fs::path& root, const fs::path& staging) {
  if (fs::exists(root)) {
    const fs::path replaced = staging / "replaced";
    fs::remove_all(replaced);
    fs::rename(root, replaced);
    fs::rename(tree, root);
    fs::remove_all(replaced);
  } else {
    fs::rename(tree, root);
  }
}

}  // namespace

const DatasetSource& dataset_source(std::string_view name) {
  for (const auto& source : kSources)
    if (source.name == name) return source;
  fail("unknown dataset '{}' (known: {})", name, fmt::join(dataset_source_names(), ", "));
}

std::vector<std::string> dataset_source_names() {
  std::vector<std::string> names;
  for (const auto& source : kSources) names.push_back(source.name);
  return names;
}

FileIndex committed_file_index(const DatasetSource& source) {
  return read_file_index(dataset_index_root() / (source.name + ".md5"));
}

std::string resolve_fetch_url(const DatasetSource& source, const std::string& url_override) {
  if (!url_override.empty()) return url_override;
  if (const char* base = std::getenv("AUDIFY_FETCH_BASE_URL"); base && *base) {
    std::string url = base;
    if (!url.ends_with('/')) url += '/';
    return url + source.archive_name;
  }
  return source.url;
}

FetchResult fetch_dataset(const DatasetSource& source, const FileIndex& index,
                          const FetchOptions& options) {
  if (options.to.empty()) fail("dataset fetch: no destination folder given");
  const fs::path root = without_trailing_slash(options.to);
  if (fs::exists(root) && !fs::is_directory(root))
    fail("{}: exists and is not a folder", root.string());
  if (fs::exists(root) && !fs::is_empty(root) && !options.force)
    fail("{}: already exists and is not empty (--force replaces it)", root.string());

  const fs::path staging = root.parent_path() / (root.filename().string() + ".download");
  const fs::path archive = staging / source.archive_name;
  const std::string url = resolve_fetch_url(source, options.url);
  FetchResult result;
  result.root = root;
  // A complete archive from an earlier run that failed later is reused (and checked again).
  if (fs::exists(archive)) {
    spdlog::info("{}: reusing the archive downloaded earlier", archive.string());
  } else {
    spdlog::info("{}: downloading {}", source.name, url);
    try {
      download_resumable(url, archive, options.download);
    } catch (...) {
      std::error_code ignored;
      fs::remove(staging, ignored);  // only when empty: a .part file stays for the rerun
      throw;
    }
  }
  result.archive_bytes = fs::file_size(archive);
  check_archive_md5(source, archive, url);

  const fs::path tree = staging / "extract";
  fs::remove_all(tree);
  try {
    const auto md5_by_path = extract_archive(archive, tree, source.top_folder);
    verify_against_index(index, md5_by_path, archive.string());
    result.files = md5_by_path.size();
    result.files_verified = index.md5_by_path.size();
  } catch (...) {
    fs::remove_all(tree);
    throw;
  }
  install_tree(tree, root, staging);
  if (options.keep_archive) {
    const fs::path kept = root.parent_path() / source.archive_name;
    fs::rename(archive, kept);
    result.kept_archive = kept;
  }
  fs::remove_all(staging);
  return result;
}

}  // namespace audify
