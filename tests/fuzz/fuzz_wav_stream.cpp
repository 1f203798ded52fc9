// The WAV header parser and PCM decoder of `audify monitor`, fed a stream of bytes on a file
// descriptor as a pipe would bring them (an in-memory file here, so no thread has to write it).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "fuzz_support.h"
#include "serve/audio_stream.h"

namespace {

// The read size of monitor's windows at 22050 Hz, small enough that long inputs take many reads.
constexpr std::size_t kChunkFrames = 4096;

struct MemoryFd {
  int fd = ::memfd_create("fuzz-wav-stream", 0);
  ~MemoryFd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const MemoryFd memory;
  if (memory.fd < 0) __builtin_trap();
  for (std::size_t written = 0; written < size;) {
    const ssize_t n = ::write(memory.fd, data + written, size - written);
    if (n <= 0) __builtin_trap();
    written += static_cast<std::size_t>(n);
  }
  if (::lseek(memory.fd, 0, SEEK_SET) != 0) __builtin_trap();
  try {
    const auto stream = audify::open_wav_stream(memory.fd, "fuzz", 0.0);
    if (stream->sample_rate() <= 0) __builtin_trap();
    (void)stream->describe();
    std::vector<float> samples;
    std::size_t total = 0;
    for (;;) {
      const std::size_t got = stream->read(kChunkFrames, samples);
      total += got;
      if (samples.size() != total) __builtin_trap();  // one mono sample per frame read
      if (got < kChunkFrames) break;
    }
    if (stream->end() == audify::StreamEnd::not_yet) __builtin_trap();  // a short read is the end
  } catch (const audify::Error&) {
  }
  return 0;
}
