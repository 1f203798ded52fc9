// Which clips each split of a run tested on, read back from its predictions.csv, as one digest per
// split: two runs are compared split by split (the report's paired differences) only where they
// tested the very same clips. Fold names alone do not say that: every seed of a grouped or random
// split is called "grouped" or "random" but holds other clips.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace audify {

// The digest of each split's test clips, in split order. predictions.csv lists the test clips of
// split 1, then split 2, ...; `test_clips` gives how many each split has. Empty when the file is
// absent or does not hold exactly that many rows (runs written before it existed, a damaged file).
std::vector<std::string> test_set_digests(const std::filesystem::path& predictions_csv,
                                          const std::vector<int>& test_clips);

}  // namespace audify
