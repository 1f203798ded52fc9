// A labelled clip list in any of the layouts Audify reads (data.layout: urbansound8k, esc50,
// folders, manifest), with the class list the data defines. Every layer above (extraction, runner,
// model metadata, reports, serving) takes its class names from here, never from a compiled list.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "data/data_options.h"

namespace audify {

struct ClipInfo {
  std::string slice_file_name;  // the clip's name in tables: a file name, or a path under the root
  int fs_id = -1;               // recording group (Freesound id, src_file, ...); -1 = unknown
  double start = 0, end = 0;    // UrbanSound8K: seconds in the source recording
  int salience = 1;             // UrbanSound8K: 1 foreground, 2 background
  int fold = -1;                // official fold (1-based); -1 = none
  int class_id = 0;             // index into Dataset::class_names
  std::string class_name;
  std::filesystem::path path;  // the audio file
};

struct Dataset {
  std::filesystem::path root;
  std::string layout;                    // data.layout it was read as
  std::vector<std::string> class_names;  // index = class id
  std::vector<ClipInfo> clips;           // rows whose audio file exists
  std::vector<ClipInfo> missing;         // rows whose audio file does not
};

// Reads the dataset at `root` in the layout options.layout names, with its layout keys
// (data.subset, data.classes, data.class_prefix, data.fold_pattern, data.group_pattern). Throws
// audify::Error naming the file (and line or key) for anything malformed.
Dataset load_dataset(const std::filesystem::path& root, const DataOptions& options);

// The layout a dataset root looks like: urbansound8k (metadata/UrbanSound8K.csv), esc50
// (meta/esc50.csv), manifest (a .csv file, or a folder holding manifest.csv), else folders.
std::string guess_layout(const std::filesystem::path& root);

// Recording groups from their spellings: all non-negative integers keep their value (Freesound
// ids stay readable in reports); otherwise the distinct spellings are numbered 0.. in sorted order.
// An empty spelling is -1 (the clip is a recording of its own).
std::vector<int> recording_group_ids(const std::vector<std::string>& spellings);

// The class list of a layout whose labels are names: data.classes when given (a label outside it
// is an error naming `where_of(i)`), else the distinct labels in sorted order. Returns each label's
// class id.
std::vector<int> class_ids_of_labels(const std::vector<std::string>& labels,
                                     const std::vector<std::string>& declared,
                                     std::vector<std::string>& class_names,
                                     const std::function<std::string(std::size_t)>& where_of);

}  // namespace audify
