// A manifest CSV: any clips anywhere, one row each, with the columns path,label and optionally
// fold and group (the recording; clips of one recording stay on one side of a split). Paths are
// relative to the CSV's folder (or absolute). The class list is data.classes in its order, or the
// distinct labels sorted by name.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace audify {

// `where` is the CSV, or a folder holding manifest.csv. Throws audify::Error naming the file and
// line: a missing path or label column, an empty path or label, a fold that is not a positive
// integer, a label not in `classes` (when given).
Dataset load_manifest(const std::filesystem::path& where,
                      const std::vector<std::string>& classes = {});

}  // namespace audify
