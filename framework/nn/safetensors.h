// The safetensors format (Hugging Face): 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {string: string}} padded with spaces to a multiple of 8, then the raw
// little-endian tensor bytes. Audify stores F32 tensors only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace audify::nn {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;  // row-major, product(shape) values
};

struct SafetensorsFile {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;

  // The named tensor; throws audify::Error naming it when absent.
  const Tensor& at(const std::string& name) const;
};

// Serialises to bytes (tensors in name order) and writes them atomically (core/atomic_file.h).
std::string encode_safetensors(const SafetensorsFile& file);
void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file);

// Parses and validates (lengths, offsets, dtype, shapes); throws audify::Error naming `origin`
// (the path) on any malformation.
SafetensorsFile decode_safetensors(const std::string& bytes, const std::string& origin);
SafetensorsFile read_safetensors(const std::filesystem::path& path);

}  // namespace audify::nn
