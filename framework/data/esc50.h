// The ESC-50 release layout (Piczak 2015, github.com/karolpiczak/ESC-50): DIR/audio/<file>.wav,
// named <fold>-<src_file>-<take>-<target>.wav, and DIR/meta/esc50.csv with the header
// filename,fold,target,category,esc10,src_file,take. 5 official folds; the clips of one source
// recording (src_file) share a fold, and src_file is the recording group.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"

namespace audify {

inline constexpr std::string_view kEsc50Header =
    "filename,fold,target,category,esc10,src_file,take";

struct Esc50Row {
  std::string filename;
  int fold = 1;  // 1..5
  int target = 0;
  std::string category;
  bool esc10 = false;
  std::string src_file;
  std::string take;  // "A", "B", ...
};

// Reads root/meta/esc50.csv (columns by name, so extra ones are fine). Class ids are the distinct
// targets in ascending order renumbered 0..k-1 (the identity on the full ESC-50), named by their
// category. subset "esc10" keeps the rows whose esc10 column is True: the 400 ESC-10 clips, whose
// targets 0 dog, 1 rooster, 10 rain, 11 sea_waves, 12 crackling_fire, 20 crying_baby, 21 sneezing,
// 38 clock_tick, 40 helicopter, 41 chainsaw become ids 0..9 in that order. Throws audify::Error
// naming the file and line.
Dataset load_esc50(const std::filesystem::path& root, const std::string& subset = "");

// Writes root/meta/esc50.csv (atomically) in the release's format.
void write_esc50_metadata(const std::filesystem::path& root, const std::vector<Esc50Row>& rows);

}  // namespace audify
