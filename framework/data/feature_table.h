// The feature table: the hand-off between extraction and learning. A CSV with the header
// `slice_file_name,fsID,fold,classID,class,<feature columns>`, one row per clip. Audify writes it
// (`audify extract`) and reads it, whether it came from Audify or from elsewhere. Label columns
// may be empty (clips without metadata); they read back as -1 / "".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace audify {

struct FeatureRow {
  std::string slice_file_name;
  int fs_id = -1;     // Freesound recording id; slices of one recording share it
  int fold = -1;      // official fold 1..10
  int class_id = -1;  // 0..9
  std::string class_name;
  std::vector<float> values;  // one per feature column
};

struct FeatureTable {
  std::vector<std::string> columns;  // feature column names
  std::vector<FeatureRow> rows;
};

// Throws audify::Error naming the file and line for a malformed table.
FeatureTable read_feature_table(const std::filesystem::path& path);
// Throws audify::Error naming `path` unless it is a regular file: a folder is told what a feature
// table is and that a folder of audio is data.root's.
void require_feature_table_file(const std::filesystem::path& path);
// Written atomically; floats with enough digits to round-trip.
void write_feature_table(const std::filesystem::path& path, const FeatureTable& table);

}  // namespace audify
