// Unpacks a dataset archive (libarchive: .tar.gz, .zip and the rest of what it reads) into a
// folder, hashing each file as it is written, so a 6 GB release is read once.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace audify {

// Extracts the regular files and folders of `archive` under `into`, dropping `top_folder` (the
// release's own root, "UrbanSound8K" or "ESC-50-master"; empty keeps paths as they are), and
// returns each file's path relative to `into` with the md5 of its bytes; the progress line counts
// the archive's bytes read. Entries outside `top_folder`, absolute paths, ".." and links are
// refused; every error names the archive and, where there is one, the entry.
std::map<std::string, std::string> extract_archive(const std::filesystem::path& archive,
                                                   const std::filesystem::path& into,
                                                   std::string_view top_folder);

}  // namespace audify
