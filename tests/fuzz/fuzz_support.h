// What the libFuzzer targets share: the bytes of an input as text or a byte span, and a scratch
// file that parsers taking a path read the input from. An input a parser refuses with
// audify::Error is the expected outcome; anything else escaping a target (another exception, a
// sanitizer report, an abort) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace audify::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::span<const std::byte> as_bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

// A private folder under the system temp dir, made on first use and removed at exit; each
// process of a parallel fuzzing run (-jobs, -workers) has its own.
const std::filesystem::path& scratch_dir();

// Writes `text` to scratch_dir()/name (replacing it) and returns the path.
std::filesystem::path write_scratch(const std::string& name, std::string_view text);

}  // namespace audify::fuzz
