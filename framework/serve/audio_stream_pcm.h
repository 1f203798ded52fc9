// Internals shared by the pipe sources of audio_stream.h: a file-descriptor reader that gives up
// after a stall, and the PCM stream that decodes interleaved bytes to mono floats (used for raw PCM
// and for the data chunk of a streamed WAV).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "serve/audio_stream.h"

namespace audify::stream_detail {

// Blocking reads from a descriptor with poll(): a read that waits longer than `stall_seconds`
// for its next byte ends the stream as stalled instead of hanging the monitor.
class FdReader {
 public:
  FdReader(int fd, std::string name, double stall_seconds);
  // Fills `out` unless the data ends or stalls first; returns the bytes read.
  std::size_t read_fully(std::span<std::byte> out);
  StreamEnd end() const { return end_; }
  const std::string& name() const { return name_; }

 private:
  int fd_;
  std::string name_;
  int timeout_ms_;  // -1: wait forever
  StreamEnd end_ = StreamEnd::not_yet;
};

// Bytes per sample of an encoding.
std::size_t pcm_sample_bytes(PcmEncoding encoding);

// Appends the channel mean of each interleaved frame of `frames` to `out` (librosa.to_mono's
// float32 mean, as decode_audio does).
void append_mono(std::span<const float> interleaved, int channels, std::vector<float>& out);

// Names what a stream's first bytes look like when they are a known file header, else "".
std::string sniff_container(std::span<const std::byte> head);

class PcmStream final : public AudioStream {
 public:
  // `head`: bytes already read from `reader` that belong to the audio data. `data_bytes`: how much
  // audio the container declares (nullopt: until the end of the stream).
  PcmStream(FdReader reader, const PcmFormat& format, std::string container,
            std::vector<std::byte> head, std::optional<std::uint64_t> data_bytes);
  int sample_rate() const override { return format_.sample_rate; }
  std::string describe() const override;
  std::size_t read(std::size_t frames, std::vector<float>& out) override;
  StreamEnd end() const override;

 private:
  FdReader reader_;
  PcmFormat format_;
  std::string container_;  // "WAV" | "raw PCM"
  std::vector<std::byte> head_;
  std::optional<std::uint64_t> remaining_;
  std::uint64_t frames_read_ = 0;
  std::vector<std::byte> bytes_;
  std::vector<float> interleaved_;
};

}  // namespace audify::stream_detail
