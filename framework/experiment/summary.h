// The table of a multirun: one row per point with its swept values and headline numbers, as
// summary.csv (for tools) and summary.md (for people), read back from each point's metrics.json.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace audify {

struct SummaryPoint {
  int index = 0;
  std::string name;                                        // the point's folder name
  std::vector<std::pair<std::string, std::string>> swept;  // key, value text
  std::string status;                                      // "done", "resumed" or "failed (...)"
};

// Writes <dir>/summary.csv and <dir>/summary.md atomically. A point without a readable
// metrics.json gets empty numbers and its status.
void write_summary(const std::filesystem::path& dir, const std::vector<SummaryPoint>& points);

}  // namespace audify
