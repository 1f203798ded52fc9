// NumPy's .npy format (version 1.0, little-endian float32, C order) for frame-level feature
// matrices, so `np.load` reads what `audify extract --frames` writes.
#pragma once

#include <filesystem>
#include <string>

#include "core/matrix.h"

namespace audify {

std::string encode_npy(const Matrix& m);
void write_npy(const std::filesystem::path& path, const Matrix& m);  // atomic
Matrix read_npy(const std::filesystem::path& path);  // float32 2-D, C order; else audify::Error

}  // namespace audify
