// The UrbanSound8K layout (as distributed on Zenodo and Kaggle): DIR/audio/fold<N>/<file>.wav and
// DIR/metadata/UrbanSound8K.csv with the header
// slice_file_name,fsID,start,end,salience,fold,classID,class.
#pragma once

#include <array>
#include <filesystem>
#include <string_view>
#include <vector>

#include "data/dataset.h"

namespace audify {

inline constexpr std::array<std::string_view, 10> kUrbanSoundClasses = {
    "air_conditioner", "car_horn", "children_playing", "dog_bark", "drilling",
    "engine_idling",   "gun_shot", "jackhammer",       "siren",    "street_music"};

inline constexpr std::string_view kUrbanSoundHeader =
    "slice_file_name,fsID,start,end,salience,fold,classID,class";

// Reads and validates root/metadata/UrbanSound8K.csv (header, field types, fold and class ranges,
// class name matching classID); the class list is kUrbanSoundClasses. Throws audify::Error naming
// the file and line.
Dataset load_urbansound8k(const std::filesystem::path& root);

// Writes the metadata CSV (atomically) in the official format.
void write_urbansound8k_metadata(const std::filesystem::path& root,
                                 const std::vector<ClipInfo>& clips);

}  // namespace audify
