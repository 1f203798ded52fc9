#include "data/esc50.h"

#include <fmt/format.h>

#include <map>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "data/metadata_csv.h"

namespace audify {
namespace {

constexpr int kEsc50Folds = 5;

std::filesystem::path metadata_path(const std::filesystem::path& root) {
  return root / "meta" / "esc50.csv";
}

bool parse_flag(const std::string& cell, bool& out) {
  if (cell == "True" || cell == "true" || cell == "1") return out = true, true;
  if (cell == "False" || cell == "false" || cell == "0") return out = false, true;
  return false;
}

}  // namespace

Dataset load_esc50(const std::filesystem::path& root, const std::string& subset) {
  if (!std::filesystem::is_directory(root)) fail("{}: dataset folder not found", root.string());
  if (!subset.empty() && subset != "esc10")
    fail("data.subset: '{}' is unknown (\"\" or \"esc10\")", subset);
  const MetadataCsv csv = read_metadata_csv(
      metadata_path(root), "expected the ESC-50 layout: audio/*.wav, meta/esc50.csv");
  const std::size_t file_col = csv.required_column("filename"),
                    fold_col = csv.required_column("fold"),
                    target_col = csv.required_column("target"),
                    category_col = csv.required_column("category"),
                    src_col = csv.required_column("src_file");
  const std::size_t esc10_col = subset.empty() ? 0 : csv.required_column("esc10");

  std::vector<ClipInfo> clips;
  std::vector<std::string> groups;
  std::map<int, std::string> category_of;  // target -> category, ascending
  for (const MetadataCsv::Row& row : csv.rows) {
    const std::vector<std::string>& cells = row.cells;
    if (!subset.empty()) {
      bool esc10 = false;
      if (!parse_flag(cells[esc10_col], esc10))
        fail("{}: esc10 '{}' is not True or False", csv.where(row), cells[esc10_col]);
      if (!esc10) continue;
    }
    ClipInfo c;
    c.slice_file_name = cells[file_col];
    if (c.slice_file_name.empty() || c.slice_file_name.find('/') != std::string::npos)
      fail("{}: bad filename '{}'", csv.where(row), c.slice_file_name);
    if (!csv::parse_int(cells[fold_col], c.fold) || c.fold < 1 || c.fold > kEsc50Folds)
      fail("{}: fold '{}' is not in 1..{}", csv.where(row), cells[fold_col], kEsc50Folds);
    if (!csv::parse_int(cells[target_col], c.class_id) || c.class_id < 0)
      fail("{}: target '{}' is not a class number", csv.where(row), cells[target_col]);
    c.class_name = cells[category_col];
    if (c.class_name.empty()) fail("{}: empty category", csv.where(row));
    const auto [known, added] = category_of.emplace(c.class_id, c.class_name);
    if (!added && known->second != c.class_name)
      fail("{}: category '{}' for target {}, which earlier rows call '{}'", csv.where(row),
           c.class_name, c.class_id, known->second);
    c.path = root / "audio" / c.slice_file_name;
    groups.push_back(cells[src_col]);
    clips.push_back(std::move(c));
  }
  if (clips.empty())
    fail("{}: no clips{}", csv.path.string(), subset.empty() ? "" : " marked esc10");

  Dataset ds;
  ds.root = root;
  std::map<int, int> id_of_target;
  for (const auto& [target, category] : category_of) {
    id_of_target[target] = static_cast<int>(ds.class_names.size());
    ds.class_names.push_back(category);
  }
  const std::vector<int> group_ids = recording_group_ids(groups);
  for (std::size_t i = 0; i < clips.size(); ++i) {
    ClipInfo& c = clips[i];
    c.class_id = id_of_target.at(c.class_id);
    c.fs_id = group_ids[i];
    (std::filesystem::exists(c.path) ? ds.clips : ds.missing).push_back(std::move(c));
  }
  return ds;
}

void write_esc50_metadata(const std::filesystem::path& root, const std::vector<Esc50Row>& rows) {
  std::string out(kEsc50Header);
  out += '\n';
  for (const Esc50Row& r : rows)
    out += fmt::format("{},{},{},{},{},{},{}\n", csv::escape(r.filename), r.fold, r.target,
                       csv::escape(r.category), r.esc10 ? "True" : "False", csv::escape(r.src_file),
                       csv::escape(r.take));
  write_file_atomic(metadata_path(root), out);
}

}  // namespace audify
