// Per-file failures that commands list (extract, classify) must each name their file.
#pragma once

#include <string>

namespace audify {

// `message` as an error about one file: prefixed "file: " unless it already says so.
inline std::string naming_file(const std::string& file, const std::string& message) {
  return message.starts_with(file + ":") ? message : file + ": " + message;
}

}  // namespace audify
