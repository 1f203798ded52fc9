#include "report/test_sets.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <fstream>
#include <numeric>

#include "core/csv.h"

namespace audify {

std::vector<std::string> test_set_digests(const std::filesystem::path& predictions_csv,
                                          const std::vector<int>& test_clips) {
  std::ifstream in(predictions_csv);
  std::string line;
  if (!in || !std::getline(in, line) || !line.starts_with("file,")) return {};
  std::vector<std::string> files;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells = csv::split_line(line);
    files.push_back(std::move(cells.front()));
  }
  const long expected = std::accumulate(test_clips.begin(), test_clips.end(), 0L);
  if (test_clips.empty() || expected != static_cast<long>(files.size())) return {};
  std::vector<std::string> digests;
  auto begin = files.begin();
  for (const int n : test_clips) {
    // A set, not a sequence: the order a split lists its clips in is not part of what it tests.
    std::vector<std::string> clips(begin, begin + n);
    begin += n;
    std::sort(clips.begin(), clips.end());
    std::string joined;
    for (const std::string& clip : clips) joined.append(clip).push_back('\n');
    digests.push_back(fmt::format("{:016x}", XXH3_64bits(joined.data(), joined.size())));
  }
  return digests;
}

}  // namespace audify
