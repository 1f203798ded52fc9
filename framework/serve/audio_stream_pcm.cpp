#include "serve/audio_stream_pcm.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "audio/audio_limits.h"
#include "core/error.h"

namespace audify {

namespace {

constexpr PcmEncoding kEncodings[] = {PcmEncoding::u8, PcmEncoding::s16le, PcmEncoding::s24le,
                                      PcmEncoding::s32le, PcmEncoding::f32le};

// Floats beyond this are not audio: most likely integer PCM read as f32le.
constexpr float kMaxPlausibleFloat = 1000.0f;

std::uint32_t le_bytes(const std::byte* p, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::to_integer<std::uint32_t>(p[i]) << (8 * i);
  return v;
}

// Integers scaled by 1/2^(bits-1), unsigned 8-bit offset by 128 first (libsndfile's, and so
// decode_audio's, convention).
float decode_sample(const std::byte* p, PcmEncoding encoding) {
  switch (encoding) {
    case PcmEncoding::u8:
      return (static_cast<float>(le_bytes(p, 1)) - 128.0f) / 128.0f;
    case PcmEncoding::s16le:
      return static_cast<float>(static_cast<std::int16_t>(le_bytes(p, 2))) / 32768.0f;
    case PcmEncoding::s24le:  // shift the 24 bits to the top of an int32 to sign-extend them
      return static_cast<float>(static_cast<std::int32_t>(le_bytes(p, 3) << 8) >> 8) / 8388608.0f;
    case PcmEncoding::s32le:
      return static_cast<float>(static_cast<std::int32_t>(le_bytes(p, 4))) / 2147483648.0f;
    case PcmEncoding::f32le: {
      const std::uint32_t bits = le_bytes(p, 4);
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
  }
  return 0.0f;
}

}  // namespace

PcmEncoding parse_pcm_encoding(std::string_view name) {
  for (const PcmEncoding e : kEncodings)
    if (pcm_encoding_name(e) == name) return e;
  fail("unknown PCM format '{}' (valid: u8, s16le, s24le, s32le, f32le)", name);
}

std::string_view pcm_encoding_name(PcmEncoding encoding) {
  switch (encoding) {
    case PcmEncoding::u8:
      return "u8";
    case PcmEncoding::s16le:
      return "s16le";
    case PcmEncoding::s24le:
      return "s24le";
    case PcmEncoding::s32le:
      return "s32le";
    case PcmEncoding::f32le:
      return "f32le";
  }
  return "?";
}

namespace stream_detail {

FdReader::FdReader(int fd, std::string name, double stall_seconds)
    : fd_(fd),
      name_(std::move(name)),
      timeout_ms_(stall_seconds > 0 ? static_cast<int>(std::ceil(stall_seconds * 1000.0)) : -1) {}

std::size_t FdReader::read_fully(std::span<std::byte> out) {
  std::size_t got = 0;
  while (got < out.size() && end_ == StreamEnd::not_yet) {
    pollfd waiting{fd_, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, timeout_ms_);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail("{}: cannot wait for data: {}", name_, std::strerror(errno));
    if (ready == 0) {
      end_ = StreamEnd::stalled;
      break;
    }
    const ssize_t n = ::read(fd_, out.data() + got, out.size() - got);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) fail("{}: read error: {}", name_, std::strerror(errno));
    if (n == 0) end_ = StreamEnd::end_of_data;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

std::size_t pcm_sample_bytes(PcmEncoding encoding) {
  switch (encoding) {
    case PcmEncoding::u8:
      return 1;
    case PcmEncoding::s16le:
      return 2;
    case PcmEncoding::s24le:
      return 3;
    case PcmEncoding::s32le:
    case PcmEncoding::f32le:
      return 4;
  }
  return 1;
}

void append_mono(std::span<const float> interleaved, int channels, std::vector<float>& out) {
  const auto c = static_cast<std::size_t>(channels);
  const float scale = 1.0f / static_cast<float>(channels);
  for (std::size_t t = 0; t + c <= interleaved.size(); t += c) {
    float sum = 0.0f;
    for (std::size_t i = 0; i < c; ++i) sum += interleaved[t + i];
    out.push_back(c == 1 ? sum : sum * scale);
  }
}

std::string sniff_container(std::span<const std::byte> head) {
  const auto starts_with = [&](std::string_view magic) {
    return head.size() >= magic.size() && std::memcmp(head.data(), magic.data(), magic.size()) == 0;
  };
  if (starts_with("RIFF") || starts_with("RF64")) return "a WAV file (RIFF header)";
  if (starts_with("fLaC")) return "a FLAC file";
  if (starts_with("OggS")) return "an Ogg file";
  if (starts_with("ID3")) return "an MP3 file (ID3 tag)";
  if (starts_with("FORM")) return "an AIFF file";
  return "";
}

PcmStream::PcmStream(FdReader reader, const PcmFormat& format, std::string container,
                     std::vector<std::byte> head, std::optional<std::uint64_t> data_bytes)
    : reader_(std::move(reader)),
      format_(format),
      container_(std::move(container)),
      head_(std::move(head)),
      remaining_(data_bytes) {
  if (format.sample_rate < kMinSampleRate || format.sample_rate > kMaxSampleRate)
    fail("{}: sample rate {} Hz is outside [{}, {}] Hz", reader_.name(), format.sample_rate,
         kMinSampleRate, kMaxSampleRate);
  if (format.channels <= 0 || format.channels > 256)
    fail("{}: invalid channel count {}", reader_.name(), format.channels);
}

std::string PcmStream::describe() const {
  return fmt::format("{}: {}, {} Hz, {} channel{}, {}", reader_.name(), container_,
                     format_.sample_rate, format_.channels, format_.channels == 1 ? "" : "s",
                     pcm_encoding_name(format_.encoding));
}

StreamEnd PcmStream::end() const {
  if (remaining_ && *remaining_ == 0) return StreamEnd::end_of_data;
  return head_.empty() ? reader_.end() : StreamEnd::not_yet;
}

std::size_t PcmStream::read(std::size_t frames, std::vector<float>& out) {
  const std::size_t sample_bytes = pcm_sample_bytes(format_.encoding);
  const std::size_t frame_bytes = sample_bytes * static_cast<std::size_t>(format_.channels);
  std::size_t want = frames * frame_bytes;
  if (remaining_) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, *remaining_));
  bytes_.resize(want);
  const std::size_t from_head = std::min(want, head_.size());
  std::copy_n(head_.begin(), from_head, bytes_.begin());
  head_.erase(head_.begin(), head_.begin() + static_cast<std::ptrdiff_t>(from_head));
  std::size_t got = from_head;
  if (got < want) got += reader_.read_fully(std::span(bytes_).subspan(got));
  if (remaining_) *remaining_ -= got;

  const std::size_t whole_frames = got / frame_bytes;  // a cut-off last frame is dropped
  interleaved_.resize(whole_frames * static_cast<std::size_t>(format_.channels));
  for (std::size_t i = 0; i < interleaved_.size(); ++i) {
    const float x = decode_sample(bytes_.data() + i * sample_bytes, format_.encoding);
    if (!std::isfinite(x) || std::abs(x) > kMaxPlausibleFloat)
      fail("{}: sample {} is {}: not {} audio (is the declared format right?)", reader_.name(),
           frames_read_ * static_cast<std::uint64_t>(format_.channels) + i, x,
           pcm_encoding_name(format_.encoding));
    interleaved_[i] = x;
  }
  append_mono(interleaved_, format_.channels, out);
  frames_read_ += whole_frames;
  return whole_frames;
}

}  // namespace stream_detail

std::unique_ptr<AudioStream> open_raw_stream(int fd, std::string name, const PcmFormat& format,
                                             double stall_seconds) {
  stream_detail::FdReader reader(fd, std::move(name), stall_seconds);
  std::vector<std::byte> head(4);
  head.resize(reader.read_fully(head));
  const std::string looks_like = stream_detail::sniff_container(head);
  if (!looks_like.empty())
    fail("{}: --raw was given but the stream starts like {}; {}", reader.name(), looks_like,
         looks_like.starts_with("a WAV") ? "drop --raw to read its header"
                                         : "pass it as a file path instead");
  return std::make_unique<stream_detail::PcmStream>(std::move(reader), format, "raw PCM",
                                                    std::move(head), std::nullopt);
}

}  // namespace audify
