#include "data/feature_table.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"

namespace audify {
namespace {

constexpr std::string_view kLabelColumns[] = {"slice_file_name", "fsID", "fold", "classID",
                                              "class"};

// Empty label cells mean "unknown" (clips extracted without metadata).
int parse_label(const std::string& cell, const std::filesystem::path& path, std::size_t line,
                std::string_view column) {
  if (cell.empty()) return -1;
  int v = 0;
  if (!csv::parse_int(cell, v))
    fail("{}:{}: column '{}': '{}' is not an integer", path.string(), line, column, cell);
  return v;
}

void read_header_line(const std::filesystem::path& path, std::ifstream& in, std::string& line) {
  if (!in) fail("{}: cannot open feature table", path.string());
  if (!std::getline(in, line)) fail("{}: empty feature table (no header)", path.string());
}

// The header's cells, once the line is known to be text that starts with the label columns.
std::vector<std::string> checked_header(const std::filesystem::path& path,
                                        const std::string& line) {
  // An audio file or other binary given as data.features: say so rather than echo its bytes.
  if (std::any_of(line.begin(), line.end(), [](char ch) {
        const auto byte = static_cast<unsigned char>(ch);
        return byte < 0x20 && ch != '\t' && ch != '\r';
      }))
    fail("{}: not a feature table: binary content, not CSV text (the CSV `audify extract` writes)",
         path.string());
  std::vector<std::string> header = csv::split_line(line);
  for (std::size_t i = 0; i < std::size(kLabelColumns); ++i)
    if (i >= header.size() || header[i] != kLabelColumns[i])
      fail("{}: header must start with slice_file_name,fsID,fold,classID,class (column {} is '{}')",
           path.string(), i + 1, i < header.size() ? header[i] : "");
  return header;
}

}  // namespace

// Also reads the header, so that a run refuses a file that is no feature table before its folder
// exists, as it refuses a missing one.
void require_feature_table_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail(
        "{}: is a folder, not a feature table (the CSV `audify extract` writes: "
        "slice_file_name,fsID,fold,classID,class,<features>); for a folder of audio, give "
        "data.root={} instead",
        path.string(), path.string());
  if (!std::filesystem::is_regular_file(path, ec))
    fail("{}: no such feature table (a CSV file, as `audify extract` writes)", path.string());
  std::ifstream in(path);
  std::string line;
  read_header_line(path, in, line);
  checked_header(path, line);
}

FeatureTable read_feature_table(const std::filesystem::path& path) {
  require_feature_table_file(path);
  std::ifstream in(path);
  std::string line;
  read_header_line(path, in, line);
  const std::vector<std::string> header = checked_header(path, line);
  FeatureTable table;
  table.columns.assign(header.begin() + std::size(kLabelColumns), header.end());
  if (table.columns.empty()) fail("{}: no feature columns after the label columns", path.string());

  std::size_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = csv::split_line(line);
    if (cells.size() != header.size())
      fail("{}:{}: {} fields, the header has {}", path.string(), line_no, cells.size(),
           header.size());
    FeatureRow row;
    row.slice_file_name = cells[0];
    row.fs_id = parse_label(cells[1], path, line_no, "fsID");
    row.fold = parse_label(cells[2], path, line_no, "fold");
    row.class_id = parse_label(cells[3], path, line_no, "classID");
    row.class_name = cells[4];
    row.values.resize(table.columns.size());
    for (std::size_t j = 0; j < table.columns.size(); ++j) {
      const std::string& cell = cells[j + std::size(kLabelColumns)];
      if (!csv::parse_float(cell, row.values[j]) || !std::isfinite(row.values[j]))
        fail("{}:{}: column '{}': '{}' is not a finite number", path.string(), line_no,
             table.columns[j], cell);
    }
    table.rows.push_back(std::move(row));
  }
  if (table.rows.empty()) fail("{}: the feature table has no rows", path.string());
  return table;
}

void write_feature_table(const std::filesystem::path& path, const FeatureTable& table) {
  std::string out = "slice_file_name,fsID,fold,classID,class";
  for (const std::string& c : table.columns) out += "," + csv::escape(c);
  out += '\n';
  const auto label = [](int v) { return v < 0 ? std::string() : std::to_string(v); };
  for (const FeatureRow& row : table.rows) {
    AUDIFY_ASSERT(row.values.size() == table.columns.size());
    out += fmt::format("{},{},{},{},{}", csv::escape(row.slice_file_name), label(row.fs_id),
                       label(row.fold), label(row.class_id), csv::escape(row.class_name));
    for (float v : row.values) out += fmt::format(",{}", v);  // shortest round-trip form
    out += '\n';
  }
  write_file_atomic(path, out);
}

}  // namespace audify
