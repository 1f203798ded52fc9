#include "data/data_options.h"

#include <array>
#include <regex>
#include <string_view>

#include "core/error.h"

namespace audify {
namespace {

constexpr std::array<std::string_view, 4> kLayouts = {"urbansound8k", "esc50", "folders",
                                                      "manifest"};

void check_regex(const std::string& pattern, const char* key, bool value_pattern) {
  try {
    const std::regex compiled(pattern);
    if (value_pattern && compiled.mark_count() > 1)
      fail("data.{}: '{}' has {} groups; give one (the value) or none (the whole match)", key,
           pattern, compiled.mark_count());
  } catch (const std::regex_error& e) {
    fail("data.{}: '{}' is not a regular expression ({})", key, pattern, e.what());
  }
}

}  // namespace

std::string data_layout_names() {
  std::string names;
  for (std::string_view l : kLayouts) names += (names.empty() ? "" : ", ") + std::string(l);
  return names;
}

void bind(OptionSchema& s, DataOptions& d) {
  s.field("layout", d.layout, "dataset layout: urbansound8k | esc50 | folders | manifest");
  s.field("root", d.root,
          "dataset root (a manifest: the CSV or its folder); \"\" = the synthetic dataset");
  s.field("clips_per_class", d.clips_per_class, "synthetic dataset: slices per class");
  s.field("seed", d.seed, "synthetic dataset: generator seed");
  s.field("features", d.features, "feature table CSV to train on instead of audio; \"\" = extract");
  s.field("subset", d.subset, "esc50: \"\" = all 50 classes, \"esc10\" = the ESC-10 clips");
  s.field("classes", d.classes,
          "folders, manifest: the class list in id order; [] = the classes found, sorted");
  s.field("class_prefix", d.class_prefix, "folders: regex removed from the class folder names");
  s.field("fold_pattern", d.fold_pattern,
          "folders: regex over file names, group 1 = the fold; \"\" = no folds");
  s.field("group_pattern", d.group_pattern,
          "folders: regex over file names, group 1 = the recording; \"\" = none");
}

void check(const DataOptions& d) {
  bool known = false;
  for (std::string_view l : kLayouts) known = known || d.layout == l;
  if (!known) fail("data.layout: '{}' is not one of {}", d.layout, data_layout_names());
  if (!d.subset.empty() && d.subset != "esc10")
    fail("data.subset: '{}' is unknown (\"\" or \"esc10\")", d.subset);
  if (!d.subset.empty() && d.layout != "esc50")
    fail("data.subset: applies to data.layout = esc50, not {}", d.layout);
  if (!d.classes.empty() && d.layout != "folders" && d.layout != "manifest")
    fail(
        "data.classes: applies to data.layout = folders or manifest, not {} (its class list is "
        "in its metadata)",
        d.layout);
  check_regex(d.class_prefix, "class_prefix", false);
  check_regex(d.fold_pattern, "fold_pattern", true);
  check_regex(d.group_pattern, "group_pattern", true);
}

}  // namespace audify
