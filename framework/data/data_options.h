// `data.*`: where the clips come from and how their folder is laid out (configs/data/*.toml). One
// schema serves every layout; the keys of another layout keep their defaults and are ignored.
#pragma once

#include <string>
#include <vector>

#include "config/options.h"

namespace audify {

struct DataOptions {
  // urbansound8k | esc50 | folders | manifest (data/dataset.h reads each).
  std::string layout = "urbansound8k";
  std::string root;          // dataset root; "" = the embedded synthetic set (generated)
  int clips_per_class = 40;  // synthetic set only
  int seed = 0;              // synthetic set generator seed
  std::string features;      // a feature table CSV to train on instead of audio; "" = extract
  std::string subset;        // esc50: "" (all 50 classes) or "esc10" (the 400 ESC-10 clips)
  // folders, manifest: the class list in id order; empty = the classes found, sorted by name.
  std::vector<std::string> classes;
  // folders: removed from the start of each class folder's name ("001 - Dog bark" -> "Dog bark").
  std::string class_prefix = "^[0-9]+ *- *";
  std::string fold_pattern;   // folders: regex over the file name, group 1 = fold; "" = no folds
  std::string group_pattern;  // folders: regex over the file name, group 1 = recording; "" = none
};

// The layout names data.layout accepts, comma-separated, for messages and --help.
std::string data_layout_names();

void bind(OptionSchema& schema, DataOptions& options);

// Throws audify::Error naming the key: an unknown layout or subset, a regex that does not compile,
// a key given for a layout that does not read it.
void check(const DataOptions& options);

}  // namespace audify
