// Outputs are written to a temporary sibling and renamed into place, so a reader never sees a
// half-written file, and an interrupted run leaves no truncated results behind.
#pragma once

#include <filesystem>
#include <string_view>

namespace audify {

// Writes `content` to `path` atomically (temp file in the same folder, fsync, rename).
// Creates missing parent folders. Throws audify::Error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Reads a whole file; throws audify::Error naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace audify
