// `audify dataset fetch`: a public dataset from its publisher to the layout Audify's loaders read,
// checked file by file. Download (resumable) and extraction go to "<DIR>.download/" beside the
// destination, which is renamed into place only once every file matches the index: an interrupted
// or failed fetch never leaves a half-written dataset at DIR.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/fetch/file_index.h"
#include "data/fetch/http_download.h"

namespace audify {

// Where a release comes from and what it unpacks to.
struct DatasetSource {
  std::string name;          // "urbansound8k"
  std::string url;           // the publisher's download link
  std::string archive_name;  // "UrbanSound8K.tar.gz"
  std::string archive_md5;   // as the publisher gives it; empty where it gives none
  std::string top_folder;    // the archive's root folder, dropped on extraction
};

// The datasets `audify dataset fetch` knows; an unknown name is an error listing them.
const DatasetSource& dataset_source(std::string_view name);
std::vector<std::string> dataset_source_names();
// The committed per-file index of a known dataset: <dataset_index_root()>/<name>.md5.
FileIndex committed_file_index(const DatasetSource& source);

struct FetchOptions {
  std::filesystem::path to;   // the dataset root to create
  std::string url;            // replaces the source's URL (a mirror, a test server)
  bool keep_archive = false;  // keep the archive beside DIR instead of deleting it
  bool force = false;         // replace an existing, non-empty DIR
  DownloadOptions download;
};

// --url, else $AUDIFY_FETCH_BASE_URL + "/" + the archive's name, else the publisher's URL.
std::string resolve_fetch_url(const DatasetSource& source, const std::string& url_override);

struct FetchResult {
  std::filesystem::path root;
  std::size_t files = 0;           // files extracted
  std::size_t files_verified = 0;  // of them, checked against the index
  std::uint64_t archive_bytes = 0;
  std::optional<std::filesystem::path> kept_archive;
};

// Fetches `source` to `options.to`, checking the archive's md5 (where published) and every file
// against `index` (the committed one for the CLI; tests pass their own). A checksum mismatch is
// an error naming the file and both digests; a bad archive is deleted so a rerun downloads it
// afresh, while an incomplete download is kept for the rerun to continue.
FetchResult fetch_dataset(const DatasetSource& source, const FileIndex& index,
                          const FetchOptions& options);

}  // namespace audify
