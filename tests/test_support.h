// Shared helpers for the test suites: where the optional shared data lives, temp folders, CSVs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/matrix.h"

namespace audify::test {

// ../shared (or $AUDIFY_SHARED_DIR) when it exists; std::nullopt otherwise.
std::optional<std::filesystem::path> shared_dir();
// shared_dir()/sub when it exists, otherwise calls GTEST_SKIP-compatible nullopt.
std::optional<std::filesystem::path> shared_path(const std::string& sub);

// A fresh empty folder under the build tree, removed when the object dies.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Reads a numeric CSV without header (golden frame files): rows x cols.
Matrix read_numeric_csv(const std::filesystem::path& path);

// The 44-byte header of a 16-bit PCM WAV whose data chunk declares `data_bytes` (the data itself
// not included): with std::filesystem::resize_file, a huge sparse "recording" costing no disk.
std::string wav_header(int sample_rate, int channels, std::uint32_t data_bytes);
// A labelled feature table of `rows` clips in two separable classes, with the default feature
// set's 40 columns (mfcc_0..mfcc_39), so a model trained on it classifies audio.
void write_mfcc_mean_table(const std::filesystem::path& path, int rows = 20);

// Path to the built `audify` binary (for end-to-end tests).
std::filesystem::path audify_binary();

// Runs a shell command, returns its exit status and captures stdout+stderr.
int run_command(const std::string& command, std::string* output = nullptr);

}  // namespace audify::test
