// A folder of class folders, the way most people's own recordings arrive: ROOT/<class>/<files>
// (files in subfolders of a class folder count too). The class list is the folder names in sorted
// order with data.class_prefix removed ("001 - Dog bark" -> "Dog bark"), or data.classes in its
// order.
// data.fold_pattern and data.group_pattern, regular expressions over the file name, give each
// clip its fold and recording (ESC-10's original release, data=esc10: "1-100032-A.ogg" is fold 1
// of Freesound recording 100032).
#pragma once

#include <filesystem>

#include "data/dataset.h"

namespace audify {

// Audio files are those with an extension libsndfile reads (.wav, .flac, .ogg, .aiff, ...);
// others (a README) are skipped. Throws audify::Error naming the folder or file: no class
// folders, a class folder without audio, a file name a pattern does not match, a fold that is not
// a positive integer, two folders with one class name, a folder not in data.classes.
Dataset load_class_folders(const std::filesystem::path& root, const DataOptions& options);

}  // namespace audify
