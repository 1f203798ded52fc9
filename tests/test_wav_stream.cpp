// `audify monitor`'s WAV stream parser on its own, fed from an in-memory file descriptor: inputs
// that tests/fuzz/fuzz_wav_stream found mishandled, each checked against the fixed behaviour.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "serve/audio_stream.h"

namespace audify {
namespace {

// A descriptor holding `bytes`, read from the start, as a pipe would deliver them.
class BytesFd {
 public:
  explicit BytesFd(const std::string& bytes) : fd_(::memfd_create("test-wav-stream", 0)) {
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(::write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    EXPECT_EQ(::lseek(fd_, 0, SEEK_SET), 0);
  }
  ~BytesFd() { ::close(fd_); }
  BytesFd(const BytesFd&) = delete;
  BytesFd& operator=(const BytesFd&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

std::string le32(std::uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * i));
  return out;
}

std::string chunk(const std::string& id, const std::string& body) {
  return id + le32(static_cast<std::uint32_t>(body.size())) + body;
}

// fmt chunk of 16-bit mono PCM at 8000 Hz.
std::string pcm16_mono_fmt() {
  const std::string fields = std::string("\x01\x00\x01\x00", 4) + le32(8000) + le32(16000) +
                             std::string("\x02\x00\x10\x00", 4);
  return chunk("fmt ", fields);
}

std::string riff(const std::string& chunks) {
  return "RIFF" + le32(static_cast<std::uint32_t>(4 + chunks.size())) + "WAVE" + chunks;
}

std::string error_of(const std::string& bytes) {
  const BytesFd input(bytes);
  try {
    open_wav_stream(input.fd(), "stdin", 0.0);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(WavStream, ReadsAWellFormedStream) {
  const std::string samples("\x00\x40\x00\xc0", 4);  // 0.5, -0.5
  const BytesFd input(riff(pcm16_mono_fmt() + chunk("data", samples)));
  const auto stream = open_wav_stream(input.fd(), "stdin", 0.0);
  std::vector<float> out;
  EXPECT_EQ(stream->read(16, out), 2u);
  EXPECT_EQ(out, (std::vector<float>{0.5f, -0.5f}));
  EXPECT_EQ(stream->end(), StreamEnd::end_of_data);
}

// A chunk declaring 0xFFFFFFFF bytes had its size plus pad byte wrap to 0 in 32 bits: the parser
// then read the chunk's body as further chunks, and here took a fmt and data hidden inside it.
TEST(WavStream, AChunkOfUnknownSizeBeforeTheDataIsRefused) {
  const std::string hidden = pcm16_mono_fmt() + chunk("data", std::string(8, '\0'));
  const std::string message = error_of(riff("LIST" + le32(0xFFFFFFFFu) + hidden));
  EXPECT_NE(message.find("stdin: over 1048576 bytes of WAV header chunks"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace audify
