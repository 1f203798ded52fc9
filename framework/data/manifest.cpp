#include "data/manifest.h"

#include "core/csv.h"
#include "core/error.h"
#include "data/metadata_csv.h"

namespace audify {
namespace fs = std::filesystem;

Dataset load_manifest(const fs::path& where, const std::vector<std::string>& classes) {
  std::error_code ec;
  const fs::path csv_path = fs::is_directory(where, ec) ? where / "manifest.csv" : where;
  const MetadataCsv csv = read_metadata_csv(
      csv_path, "expected a manifest CSV with the columns path,label[,fold,group]");
  const std::size_t path_col = csv.required_column("path"),
                    label_col = csv.required_column("label");
  const std::optional<std::size_t> fold_col = csv.column("fold"), group_col = csv.column("group");
  if (csv.rows.empty()) fail("{}: no clips listed", csv_path.string());

  std::vector<ClipInfo> clips;
  std::vector<std::string> labels, groups;
  for (const MetadataCsv::Row& row : csv.rows) {
    ClipInfo c;
    const std::string& path = row.cells[path_col];
    if (path.empty()) fail("{}: empty path", csv.where(row));
    c.slice_file_name = path;
    c.path = fs::path(path).is_absolute() ? fs::path(path) : csv_path.parent_path() / path;
    if (row.cells[label_col].empty()) fail("{}: empty label", csv.where(row));
    if (fold_col && !row.cells[*fold_col].empty() &&
        (!csv::parse_int(row.cells[*fold_col], c.fold) || c.fold < 1))
      fail("{}: fold '{}' is not a positive integer", csv.where(row), row.cells[*fold_col]);
    labels.push_back(row.cells[label_col]);
    groups.push_back(group_col ? row.cells[*group_col] : std::string());
    clips.push_back(std::move(c));
  }

  Dataset ds;
  ds.root = csv_path.parent_path();
  const std::vector<int> ids = class_ids_of_labels(
      labels, classes, ds.class_names, [&](std::size_t i) { return csv.where(csv.rows[i]); });
  const std::vector<int> group_ids = recording_group_ids(groups);
  for (std::size_t i = 0; i < clips.size(); ++i) {
    ClipInfo& c = clips[i];
    c.class_id = ids[i];
    c.class_name = ds.class_names[static_cast<std::size_t>(ids[i])];
    c.fs_id = group_ids[i];
    (fs::exists(c.path) ? ds.clips : ds.missing).push_back(std::move(c));
  }
  return ds;
}

}  // namespace audify
