#include "data/fetch/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/progress.h"
#include "data/fetch/md5.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

using ArchiveReader = std::unique_ptr<struct archive, int (*)(struct archive*)>;

// The entry's path below `top_folder`, checked to stay inside the destination; empty for the top
// folder itself.
std::string relative_entry_path(const fs::path& archive, std::string_view name,
                                std::string_view top_folder) {
  const fs::path path = fs::path(name).lexically_normal();
  if (path.is_absolute()) fail("{}: {}: absolute path in the archive", archive.string(), name);
  fs::path relative;
  auto part = path.begin();
  if (!top_folder.empty()) {
    if (part == path.end() || *part != top_folder)
      fail("{}: {}: outside the release's folder {}/", archive.string(), name, top_folder);
    ++part;
  }
  for (; part != path.end(); ++part) {
    if (*part == "..") fail("{}: {}: path leaves the destination", archive.string(), name);
    if (!part->empty() && *part != ".") relative /= *part;
  }
  return relative.generic_string();
}

std::string write_entry(struct archive* reader, const fs::path& archive, const fs::path& target) {
  fs::create_directories(target.parent_path());
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(target.c_str(), "wb"),
                                                       &std::fclose);
  if (!file) fail("{}: cannot create: {}", target.string(), std::strerror(errno));
  Md5 md5;
  std::vector<char> block(1 << 20);
  for (;;) {
    const la_ssize_t got = archive_read_data(reader, block.data(), block.size());
    if (got < 0)
      fail("{}: reading {}: {}", archive.string(), target.filename().string(),
           archive_error_string(reader));
    if (got == 0) break;
    const auto bytes = static_cast<std::size_t>(got);
    if (std::fwrite(block.data(), 1, bytes, file.get()) != bytes)
      fail("{}: cannot write: {}", target.string(), std::strerror(errno));
    md5.update(block.data(), bytes);
  }
  if (std::fclose(file.release()) != 0)
    fail("{}: cannot write: {}", target.string(), std::strerror(errno));
  return md5.hex_digest();
}

}  // namespace

std::map<std::string, std::string> extract_archive(const fs::path& archive, const fs::path& into,
                                                   std::string_view top_folder) {
  ArchiveReader reader(archive_read_new(), &archive_read_free);
  AUDIFY_ASSERT(reader != nullptr);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_all(reader.get());
  if (archive_read_open_filename(reader.get(), archive.c_str(), 1 << 20) != ARCHIVE_OK)
    fail("{}: cannot open as an archive: {}", archive.string(), archive_error_string(reader.get()));
  fs::create_directories(into);
  Progress progress("extract " + archive.filename().string(), fs::file_size(archive), "bytes");
  // libarchive counts the compressed bytes it has consumed; the line follows them.
  std::uint64_t bytes_read = 0;
  auto advance = [&] {
    const auto now = static_cast<std::uint64_t>(archive_filter_bytes(reader.get(), -1));
    if (now > bytes_read) progress.tick(now - bytes_read);
    bytes_read = std::max(bytes_read, now);
  };
  std::map<std::string, std::string> md5_by_path;
  struct archive_entry* entry = nullptr;
  int status = ARCHIVE_OK;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK ||
         status == ARCHIVE_WARN) {
    const char* name = archive_entry_pathname(entry);
    if (!name) fail("{}: an entry without a usable name", archive.string());
    const std::string relative = relative_entry_path(archive, name, top_folder);
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      if (!relative.empty()) fs::create_directories(into / relative);
      continue;
    }
    if (type != AE_IFREG || archive_entry_hardlink(entry) != nullptr)
      fail("{}: {}: not a regular file (links and devices are refused)", archive.string(), name);
    if (relative.empty())
      fail("{}: {}: a file where the release's folder should be", archive.string(), name);
    md5_by_path[relative] = write_entry(reader.get(), archive, into / relative);
    advance();
  }
  if (status != ARCHIVE_EOF)
    fail("{}: damaged or truncated archive: {}", archive.string(),
         archive_error_string(reader.get()));
  advance();
  progress.finish();
  return md5_by_path;
}

}  // namespace audify
