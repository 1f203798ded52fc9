#include "core/npy.h"

#include <bit>
#include <cstring>
#include <regex>

#include "core/atomic_file.h"
#include "core/error.h"

namespace audify {

static_assert(std::endian::native == std::endian::little,
              "the .npy writer assumes a little-endian host");

std::string encode_npy(const Matrix& m) {
  std::string header = fmt::format(
      "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}", m.rows, m.cols);
  // Magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(m.data.data()), m.data.size() * sizeof(float));
  return out;
}

void write_npy(const std::filesystem::path& path, const Matrix& m) {
  write_file_atomic(path, encode_npy(m));
}

Matrix read_npy(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    fail("{}: not a .npy file", path.string());
  const std::size_t header_len =
      static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  if (bytes[6] != 1 || 10 + header_len > bytes.size())
    fail("{}: unsupported .npy version or header", path.string());
  const std::string header = bytes.substr(10, header_len);
  std::smatch match;
  static const std::regex shape(
      R"('descr': '<f4', 'fortran_order': False, 'shape': \((\d+), (\d+)\))");
  if (!std::regex_search(header, match, shape))
    fail("{}: expected a 2-D little-endian float32 C-order array", path.string());
  Matrix m(std::stoul(match[1]), std::stoul(match[2]));
  const std::size_t need = m.data.size() * sizeof(float);
  if (bytes.size() - 10 - header_len != need)
    fail("{}: data size does not match the shape", path.string());
  std::memcpy(m.data.data(), bytes.data() + 10 + header_len, need);
  return m;
}

}  // namespace audify
