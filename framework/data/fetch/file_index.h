// A dataset's per-file checksums: what every file of the release must hash to. The committed ones
// (framework/data/indexes/<dataset>.md5, derived from soundata's indexes) are in md5sum's format,
// "<32 hex digits>  <path relative to the dataset root>", one a line, '#' starting a comment line.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace audify {

struct FileIndex {
  std::map<std::string, std::string> md5_by_path;  // "audio/fold1/x.wav" -> 32 lower-case hex
};

// `origin` names the text in errors (a malformed line is an error naming it and its line number).
FileIndex parse_file_index(std::string_view text, const std::string& origin);
FileIndex read_file_index(const std::filesystem::path& path);

// Checks the files an extraction produced (path -> md5 of the bytes written) against `index`:
// every listed file must be there with its digest; files the index does not list (a README) pass.
// A mismatch is an error naming the file and both digests, a missing file one naming the file;
// `origin` (the archive) prefixes the message.
void verify_against_index(const FileIndex& index,
                          const std::map<std::string, std::string>& md5_by_path,
                          const std::string& origin);

}  // namespace audify
