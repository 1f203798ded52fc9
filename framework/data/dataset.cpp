// load_dataset dispatches on data.layout to one reader per layout (urbansound8k.cpp, esc50.cpp,
// class_folders.cpp, manifest.cpp); the helpers here are what the name-labelled layouts share.
#include "data/dataset.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/csv.h"
#include "core/error.h"
#include "data/class_folders.h"
#include "data/esc50.h"
#include "data/manifest.h"
#include "data/urbansound8k.h"

namespace audify {

Dataset load_dataset(const std::filesystem::path& root, const DataOptions& options) {
  check(options);
  Dataset ds;
  if (options.layout == "urbansound8k")
    ds = load_urbansound8k(root);
  else if (options.layout == "esc50")
    ds = load_esc50(root, options.subset);
  else if (options.layout == "folders")
    ds = load_class_folders(root, options);
  else
    ds = load_manifest(root, options.classes);
  ds.layout = options.layout;
  return ds;
}

std::string guess_layout(const std::filesystem::path& root) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(root / "metadata" / "UrbanSound8K.csv", ec))
    return "urbansound8k";
  if (std::filesystem::is_regular_file(root / "meta" / "esc50.csv", ec)) return "esc50";
  if (root.extension() == ".csv" || std::filesystem::is_regular_file(root / "manifest.csv", ec))
    return "manifest";
  return "folders";
}

std::vector<int> recording_group_ids(const std::vector<std::string>& spellings) {
  std::vector<int> ids(spellings.size(), -1);
  bool numeric = true;
  for (std::size_t i = 0; i < spellings.size() && numeric; ++i)
    numeric = spellings[i].empty() || (csv::parse_int(spellings[i], ids[i]) && ids[i] >= 0);
  if (numeric) return ids;
  std::map<std::string, int> number;
  for (const std::string& s : spellings)
    if (!s.empty()) number.emplace(s, 0);
  int next = 0;
  for (auto& [spelling, id] : number) id = next++;
  for (std::size_t i = 0; i < spellings.size(); ++i)
    ids[i] = spellings[i].empty() ? -1 : number.at(spellings[i]);
  return ids;
}

std::vector<int> class_ids_of_labels(const std::vector<std::string>& labels,
                                     const std::vector<std::string>& declared,
                                     std::vector<std::string>& class_names,
                                     const std::function<std::string(std::size_t)>& where_of) {
  if (!declared.empty()) {
    class_names = declared;
  } else {
    const std::set<std::string> distinct(labels.begin(), labels.end());
    class_names.assign(distinct.begin(), distinct.end());
  }
  std::map<std::string, int> id_of;
  for (std::size_t c = 0; c < class_names.size(); ++c)
    if (!id_of.emplace(class_names[c], static_cast<int>(c)).second)
      fail("data.classes: '{}' is listed twice", class_names[c]);
  std::vector<int> ids;
  ids.reserve(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto it = id_of.find(labels[i]);
    if (it == id_of.end())
      fail("{}: class '{}' is not in data.classes ({})", where_of(i), labels[i],
           fmt::join(class_names, ", "));
    ids.push_back(it->second);
  }
  return ids;
}

}  // namespace audify
