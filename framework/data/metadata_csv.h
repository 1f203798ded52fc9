// A dataset's metadata CSV read by column name (esc50.csv, a manifest), so a layout asks for the
// columns it needs and a missing one is an error naming the file and the column.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace audify {

struct MetadataCsv {
  struct Row {
    std::size_t line = 0;  // 1-based line in the file
    std::vector<std::string> cells;
  };
  std::filesystem::path path;
  std::vector<std::string> header;
  std::vector<Row> rows;  // every non-blank line after the header, as many cells as the header

  std::optional<std::size_t> column(std::string_view name) const;
  // Throws audify::Error naming the file, the column and the header when it is absent.
  std::size_t required_column(std::string_view name) const;
  std::string where(const Row& row) const;  // "path:line"
};

// Throws audify::Error naming the file: not found, empty, a row whose field count differs from
// the header's. `what` says what the file should be ("the ESC-50 metadata").
MetadataCsv read_metadata_csv(const std::filesystem::path& path, std::string_view what);

}  // namespace audify
