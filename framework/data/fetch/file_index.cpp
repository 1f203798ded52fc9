#include "data/fetch/file_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"

namespace audify {
namespace {

bool is_md5_hex(std::string_view s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

// At most this many problems are spelled out; the count says how many there were in all.
constexpr std::size_t kProblemsNamed = 5;

std::string listing(const std::vector<std::string>& problems) {
  std::string text;
  for (std::size_t i = 0; i < std::min(problems.size(), kProblemsNamed); ++i)
    text += (i ? "; " : "") + problems[i];
  if (problems.size() > kProblemsNamed)
    text += fmt::format("; and {} more", problems.size() - kProblemsNamed);
  return text;
}

}  // namespace

FileIndex parse_file_index(std::string_view text, const std::string& origin) {
  FileIndex index;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    // md5sum writes "<digest>  <path>" (two spaces; " *" marks binary mode, which changes nothing).
    const std::string_view digest = line.substr(0, 32);
    const std::string_view rest = line.size() > 34 ? line.substr(34) : std::string_view{};
    const bool separator_ok =
        line.size() > 34 && line[32] == ' ' && (line[33] == ' ' || line[33] == '*');
    if (!is_md5_hex(digest) || !separator_ok || rest.empty())
      fail("{}:{}: expected \"<32 hex digits>  <path>\", got \"{}\"", origin, line_number, line);
    if (!index.md5_by_path.emplace(std::string(rest), std::string(digest)).second)
      fail("{}:{}: {} is listed twice", origin, line_number, rest);
  }
  if (index.md5_by_path.empty()) fail("{}: the index lists no files", origin);
  return index;
}

FileIndex read_file_index(const std::filesystem::path& path) {
  return parse_file_index(read_file(path), path.string());
}

void verify_against_index(const FileIndex& index,
                          const std::map<std::string, std::string>& md5_by_path,
                          const std::string& origin) {
  std::vector<std::string> differ, missing;
  for (const auto& [path, expected] : index.md5_by_path) {
    const auto found = md5_by_path.find(path);
    if (found == md5_by_path.end())
      missing.push_back(path);
    else if (found->second != expected)
      differ.push_back(fmt::format("{}: md5 {}, the index says {}", path, found->second, expected));
  }
  if (!differ.empty())
    fail("{}: checksum mismatch in {} of {} files: {}", origin, differ.size(),
         index.md5_by_path.size(), listing(differ));
  if (!missing.empty())
    fail("{}: {} of the {} files the index lists are missing: {}", origin, missing.size(),
         index.md5_by_path.size(), listing(missing));
}

}  // namespace audify
