// A WAV arriving on a pipe. libsndfile's WAV reader seeks while it parses the header, which a pipe
// cannot do, and takes the data chunk's size at its word; a streamed WAV (arecord, ffmpeg, sox
// writing to stdout) does not know its length yet and writes 0 or 0xFFFFFFFF there. So the header
// is parsed here, front to back, and the samples go through the same PCM decoder as --raw.
#include <fmt/format.h>

#include <cstring>

#include "core/error.h"
#include "serve/audio_stream.h"
#include "serve/audio_stream_pcm.h"

namespace audify {
namespace {

using stream_detail::FdReader;

constexpr std::uint32_t kUnknownSize = 0xFFFFFFFFu;
constexpr std::size_t kMaxSkippedHeaderBytes = 1 << 20;  // LIST/fact/... chunks before the data
constexpr std::uint16_t kTagPcm = 1, kTagFloat = 3, kTagExtensible = 0xFFFE;

std::uint32_t u32(const std::byte* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(p[i]) << (8 * i);
  return v;
}
std::uint16_t u16(const std::byte* p) {
  return static_cast<std::uint16_t>(std::to_integer<unsigned>(p[0]) |
                                    std::to_integer<unsigned>(p[1]) << 8);
}

std::vector<std::byte> read_exactly(FdReader& reader, std::size_t n, const char* what) {
  std::vector<std::byte> bytes(n);
  if (reader.read_fully(bytes) < n)
    fail("{}: the WAV header ended {} before its {}", reader.name(),
         reader.end() == StreamEnd::stalled ? "(the stream stalled)" : "(end of data)", what);
  return bytes;
}

std::string hex_head(std::span<const std::byte> head) {
  std::string out;
  for (const std::byte b : head) out += fmt::format("{}{:02x}", out.empty() ? "" : " ", b);
  return out;
}

PcmFormat parse_fmt_chunk(std::span<const std::byte> chunk, const std::string& name) {
  if (chunk.size() < 16) fail("{}: WAV fmt chunk of {} bytes is too short", name, chunk.size());
  std::uint16_t tag = u16(&chunk[0]);
  const int channels = u16(&chunk[2]);
  const auto rate = u32(&chunk[4]);
  const int block_align = u16(&chunk[12]);
  const int bits = u16(&chunk[14]);
  if (tag == kTagExtensible && chunk.size() >= 26) tag = u16(&chunk[24]);  // sub-format GUID
  PcmFormat format;
  format.sample_rate = static_cast<int>(std::min<std::uint32_t>(rate, 1u << 30));
  format.channels = channels;
  if (tag == kTagPcm && bits == 8)
    format.encoding = PcmEncoding::u8;
  else if (tag == kTagPcm && bits == 16)
    format.encoding = PcmEncoding::s16le;
  else if (tag == kTagPcm && bits == 24)
    format.encoding = PcmEncoding::s24le;
  else if (tag == kTagPcm && bits == 32)
    format.encoding = PcmEncoding::s32le;
  else if (tag == kTagFloat && bits == 32)
    format.encoding = PcmEncoding::f32le;
  else
    fail(
        "{}: WAV encoding (format tag {:#x}, {} bits) is not supported on a stream; "
        "use PCM 8/16/24/32-bit or 32-bit float",
        name, tag, bits);
  if (channels <= 0 || block_align != channels * bits / 8)
    fail("{}: inconsistent WAV fmt chunk ({} channels, {} bits, block align {})", name, channels,
         bits, block_align);
  return format;
}

}  // namespace

std::unique_ptr<AudioStream> open_wav_stream(int fd, std::string name, double stall_seconds) {
  FdReader reader(fd, std::move(name), stall_seconds);
  std::vector<std::byte> riff(12);
  const std::size_t got = reader.read_fully(riff);
  if (got == 0)
    fail(
        "{}: no data {}", reader.name(),
        reader.end() == StreamEnd::stalled ? "arrived before the stall timeout" : "(empty stream)");
  const std::span<const std::byte> head(riff.data(), got);
  const bool is_riff = got >= 4 && (std::memcmp(head.data(), "RIFF", 4) == 0 ||
                                    std::memcmp(head.data(), "RF64", 4) == 0);
  if (!is_riff || got < 12 || std::memcmp(&riff[8], "WAVE", 4) != 0) {
    const std::string looks_like = stream_detail::sniff_container(head);
    fail(
        "{}: not a WAV stream ({}); monitor reads WAV or, with --raw --rate R --channels C "
        "--format F, headerless PCM on a pipe{}",
        reader.name(),
        looks_like.empty()
            ? "starts with bytes " + hex_head(head.first(std::min<std::size_t>(got, 8)))
            : "looks like " + looks_like,
        looks_like.empty() || is_riff ? "" : "; give other formats as a file path");
  }
  const bool rf64 = std::memcmp(&riff[0], "RF64", 4) == 0;  // sizes live in a ds64 chunk

  std::optional<PcmFormat> format;
  std::uint64_t skipped = 0;
  for (;;) {
    const std::vector<std::byte> chunk = read_exactly(reader, 8, "data chunk");
    const std::string id(reinterpret_cast<const char*>(chunk.data()), 4);
    const std::uint32_t size = u32(&chunk[4]);
    if (id == "data") {
      if (!format) fail("{}: WAV data chunk comes before its fmt chunk", reader.name());
      const bool unknown = rf64 || size == 0 || size == kUnknownSize;
      return std::make_unique<stream_detail::PcmStream>(
          std::move(reader), *format, "WAV", std::vector<std::byte>{},
          unknown ? std::nullopt : std::optional<std::uint64_t>(size));
    }
    // Chunks are word-aligned; in 64 bits, as a size of 0xFFFFFFFF plus its pad byte wraps to 0.
    const std::uint64_t padded = std::uint64_t{size} + (size & 1u);
    skipped += padded;
    if (skipped > kMaxSkippedHeaderBytes)
      fail("{}: over {} bytes of WAV header chunks before any audio data", reader.name(),
           kMaxSkippedHeaderBytes);
    const std::vector<std::byte> body =
        read_exactly(reader, static_cast<std::size_t>(padded), "data chunk");
    if (id == "fmt ") format = parse_fmt_chunk(body, reader.name());
  }
}

}  // namespace audify
