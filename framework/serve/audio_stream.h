// Audio arriving over time for `audify monitor`: a file read in chunks, or a WAV or headerless PCM
// stream on a pipe (stdin, a FIFO). Every source yields mono float samples (channels averaged, as
// decode_audio does) at its own rate, a chunk at a time, and tells how it ended: at the end of the
// data, or stalled (no byte for `stall_seconds`), so a live monitor can stop cleanly either way.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace audify {

enum class PcmEncoding { u8, s16le, s24le, s32le, f32le };

// "u8" | "s16le" | "s24le" | "s32le" | "f32le"; anything else is an audify::Error listing them.
PcmEncoding parse_pcm_encoding(std::string_view name);
std::string_view pcm_encoding_name(PcmEncoding encoding);

struct PcmFormat {
  int sample_rate = 0;  // Hz
  int channels = 1;     // interleaved
  PcmEncoding encoding = PcmEncoding::s16le;
};

enum class StreamEnd { not_yet, end_of_data, stalled };

class AudioStream {
 public:
  virtual ~AudioStream() = default;
  virtual int sample_rate() const = 0;
  // e.g. "stdin: WAV, 44100 Hz, 2 channels, s16le"
  virtual std::string describe() const = 0;
  // Appends up to `frames` mono samples to `out`, blocking until they are all there or the stream
  // ends; returns how many were appended (fewer than asked only once the stream has ended).
  virtual std::size_t read(std::size_t frames, std::vector<float>& out) = 0;
  virtual StreamEnd end() const = 0;
};

// `stall_seconds` <= 0 waits for data forever. The stream reads `fd` but does not own it.
// A WAV stream (RIFF/RF64 header, PCM 8/16/24/32-bit or 32-bit float); a data size of 0 or
// 0xFFFFFFFF, as streaming writers put in, means "until the end of the stream". Bytes that are not
// a WAV header are an audify::Error saying what they look like and pointing at --raw.
std::unique_ptr<AudioStream> open_wav_stream(int fd, std::string name, double stall_seconds);
// Headerless PCM in the declared format; a stream that starts with a known file header (RIFF,
// FLAC, Ogg, MP3) is an audify::Error, since the header would be played as noise.
std::unique_ptr<AudioStream> open_raw_stream(int fd, std::string name, const PcmFormat& format,
                                             double stall_seconds);
// A regular file in any format libsndfile reads (WAV, FLAC, OGG...), read chunk by chunk.
std::unique_ptr<AudioStream> open_file_stream(const std::filesystem::path& path);

}  // namespace audify
