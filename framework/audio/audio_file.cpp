#include "audio/audio_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>
#include <vector>

#include "audio/decode.h"

namespace audify {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void fail_too_big(const std::string& name, const std::string& size,
                               const AudioLimits& limits) {
  fail_audio(AudioFault::too_big, "{}: too big: {}, the limit is {} bytes (--max-bytes)", name,
             size, limits.max_bytes);
}

// Up to `cap` bytes from the descriptor; `expected` (the size of a regular file, else 0) sizes the
// buffer once.
std::string read_up_to(int fd, std::size_t cap, std::size_t expected, const std::string& name) {
  std::string bytes;
  bytes.reserve(std::min(expected, cap));
  std::vector<char> chunk(std::size_t{1} << 16);
  while (bytes.size() < cap) {
    const ssize_t n = ::read(fd, chunk.data(), std::min(chunk.size(), cap - bytes.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("{}: read failed: {}", name, std::strerror(errno));
    if (n == 0) break;
    bytes.append(chunk.data(), static_cast<std::size_t>(n));
  }
  return bytes;
}

}  // namespace

std::string read_audio_file(const std::filesystem::path& path, const AudioLimits& limits) {
  const std::string name = path.string();
  // O_NONBLOCK so that opening a FIFO with no writer does not wait for one (it reads as empty).
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) fail("{}: file not found", name);
    fail("{}: cannot open: {}", name, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail("{}: cannot stat: {}", name, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail("{}: is a folder, not an audio file", name);
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);

  const bool regular = S_ISREG(st.st_mode);
  const auto size = static_cast<std::size_t>(st.st_size);
  if (regular && size == 0) fail_audio(AudioFault::empty, "{}: empty file", name);
  if (regular && size > limits.max_bytes) {
    // The header, read in place, says what the file is: a message about its format or its length
    // helps more than one about its size.
    check_declared_length(probe_audio(path), name, limits);
    fail_too_big(name, fmt::format("{} bytes", size), limits);
  }
  std::string bytes = read_up_to(fd.get(), limits.max_bytes + 1, regular ? size : 0, name);
  if (bytes.empty()) fail_audio(AudioFault::empty, "{}: empty file (nothing to read)", name);
  if (bytes.size() > limits.max_bytes) {
    // A stream of unknown size (a pipe, /dev/zero): what was read shows whether it is audio.
    bytes.resize(limits.max_bytes);
    probe_audio_memory(std::as_bytes(std::span(bytes.data(), bytes.size())), name);
    fail_too_big(name, fmt::format("more than {} bytes", limits.max_bytes), limits);
  }
  return bytes;
}

}  // namespace audify
