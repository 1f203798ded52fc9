#include "data/metadata_csv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>

#include "core/csv.h"
#include "core/error.h"

namespace audify {

std::optional<std::size_t> MetadataCsv::column(std::string_view name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) return std::nullopt;
  return static_cast<std::size_t>(it - header.begin());
}

std::size_t MetadataCsv::required_column(std::string_view name) const {
  if (const auto index = column(name)) return *index;
  fail("{}: no '{}' column (header: {})", path.string(), name, fmt::join(header, ","));
}

std::string MetadataCsv::where(const Row& row) const {
  return fmt::format("{}:{}", path.string(), row.line);
}

MetadataCsv read_metadata_csv(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path);
  if (!in) fail("{}: not found ({})", path.string(), what);
  MetadataCsv csv;
  csv.path = path;
  std::string line;
  const auto next_line = [&] {
    if (!std::getline(in, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  };
  if (!next_line()) fail("{}: empty file ({})", path.string(), what);
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // spreadsheets write a UTF-8 BOM
  csv.header = csv::split_line(line);
  for (std::size_t line_no = 2; next_line(); ++line_no) {
    if (line.empty()) continue;
    MetadataCsv::Row row{line_no, csv::split_line(line)};
    if (row.cells.size() != csv.header.size())
      fail("{}:{}: {} fields, the header has {}", path.string(), line_no, row.cells.size(),
           csv.header.size());
    csv.rows.push_back(std::move(row));
  }
  return csv;
}

}  // namespace audify
