// Safetensors encoding and strict decoding with nlohmann-json. Data is written little-endian
// byte by byte, so the files are portable whatever the host's byte order.
#include "nn/safetensors.h"

#include <nlohmann/json.hpp>

#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"

namespace audify::nn {

const Tensor& SafetensorsFile::at(const std::string& name) const {
  const auto it = tensors.find(name);
  if (it == tensors.end()) fail("safetensors: no tensor named '{}'", name);
  return it->second;
}

namespace {

int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void put_u32_le(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

std::string encode_safetensors(const SafetensorsFile& file) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : file.tensors) {
    if (name == "__metadata__") fail("safetensors: '__metadata__' cannot name a tensor");
    if (element_count(t.shape) != static_cast<int64_t>(t.data.size()))
      fail("safetensors: tensor '{}' has {} values for its shape", name, t.data.size());
    const uint64_t bytes = 4 * t.data.size();
    header[name] = {
        {"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + json.size() + offset);
  const uint64_t n = json.size();
  put_u32_le(out, static_cast<uint32_t>(n));
  put_u32_le(out, static_cast<uint32_t>(n >> 32));
  out += json;
  for (const auto& [name, t] : file.tensors)
    for (float v : t.data) {
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      put_u32_le(out, bits);
    }
  return out;
}

void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file) {
  write_file_atomic(path, encode_safetensors(file));
}

SafetensorsFile decode_safetensors(const std::string& bytes, const std::string& origin) {
  if (bytes.size() < 8)
    fail("{}: not a safetensors file (shorter than its 8-byte header length)", origin);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  if (n > bytes.size() - 8) fail("{}: safetensors header length {} exceeds the file", origin, n);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(n));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: safetensors header is not valid JSON: {}", origin, e.what());
  }
  if (!header.is_object()) fail("{}: safetensors header is not a JSON object", origin);
  const std::size_t data_begin = 8 + n, data_size = bytes.size() - data_begin;
  SafetensorsFile file;
  for (const auto& [name, entry] : header.items()) {
    try {
      if (name == "__metadata__") {
        file.metadata = entry.get<std::map<std::string, std::string>>();
        continue;
      }
      if (entry.at("dtype").get<std::string>() != "F32")
        fail("{}: tensor '{}' has dtype {}, Audify reads F32 only", origin, name,
             entry.at("dtype").dump());
      Tensor t;
      t.shape = entry.at("shape").get<std::vector<int64_t>>();
      const auto offsets = entry.at("data_offsets").get<std::vector<uint64_t>>();
      for (int64_t d : t.shape)
        if (d < 0) fail("{}: tensor '{}' has a negative dimension", origin, name);
      const auto count = static_cast<uint64_t>(element_count(t.shape));
      if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size ||
          offsets[1] - offsets[0] != 4 * count)
        fail("{}: tensor '{}' has data_offsets {} inconsistent with its shape or the file size",
             origin, name, entry.at("data_offsets").dump());
      t.data.resize(count);
      const char* p = bytes.data() + data_begin + offsets[0];
      for (uint64_t i = 0; i < count; ++i) {
        uint32_t bits = 0;
        for (int b = 3; b >= 0; --b) bits = (bits << 8) | static_cast<unsigned char>(p[4 * i + b]);
        std::memcpy(&t.data[i], &bits, 4);
      }
      file.tensors.emplace(name, std::move(t));
    } catch (const nlohmann::json::exception& e) {
      fail("{}: safetensors entry '{}' is malformed: {}", origin, name, e.what());
    }
  }
  return file;
}

SafetensorsFile read_safetensors(const std::filesystem::path& path) {
  return decode_safetensors(read_file(path), path.string());
}

}  // namespace audify::nn
