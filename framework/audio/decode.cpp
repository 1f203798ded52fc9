#include "audio/decode.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "audio/audio_file.h"

namespace audify {
namespace {

// libsndfile's virtual I/O over a byte span, so uploads decode without touching the disk.
struct MemoryReader {
  std::span<const std::byte> bytes;
  sf_count_t pos = 0;

  static sf_count_t size(void* self) { return static_cast<sf_count_t>(cast(self)->bytes.size()); }
  static sf_count_t seek(sf_count_t offset, int whence, void* self) {
    MemoryReader* r = cast(self);
    const sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? r->pos : size(self);
    const sf_count_t target = base + offset;
    if (target < 0 || target > size(self)) return -1;
    r->pos = target;
    return r->pos;
  }
  static sf_count_t read(void* dst, sf_count_t n, void* self) {
    MemoryReader* r = cast(self);
    const sf_count_t left = size(self) - r->pos;
    const sf_count_t count = n < left ? n : left;
    if (count > 0) std::memcpy(dst, r->bytes.data() + r->pos, static_cast<std::size_t>(count));
    r->pos += count;
    return count;
  }
  static sf_count_t write(const void*, sf_count_t, void*) { return 0; }
  static sf_count_t tell(void* self) { return cast(self)->pos; }
  static MemoryReader* cast(void* self) { return static_cast<MemoryReader*>(self); }
};

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string format_name(int format) {
  SF_FORMAT_INFO major{}, sub{};
  major.format = format & SF_FORMAT_TYPEMASK;
  sub.format = format & SF_FORMAT_SUBMASK;
  sf_command(nullptr, SFC_GET_FORMAT_INFO, &major, sizeof(major));
  sf_command(nullptr, SFC_GET_FORMAT_INFO, &sub, sizeof(sub));
  return fmt::format("{} {}", major.name ? major.name : "?", sub.name ? sub.name : "?");
}

AudioInfo info_of(const SF_INFO& info) {
  // libsndfile says SF_COUNT_MAX when it cannot know the length (a stream).
  const bool known = info.frames != std::numeric_limits<sf_count_t>::max();
  return {info.samplerate, info.channels, known ? static_cast<long long>(info.frames) : -1,
          format_name(info.format)};
}

// libsndfile quietly shortens a WAV whose data chunk runs past the end of the file; its log says
// "data : <declared> (should be <present>)". A cut-off upload or download is an error here.
void reject_truncated(SNDFILE* file, const std::string& name) {
  char log[4096] = {};
  sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
  const char* line = std::strstr(log, "\ndata : ");
  if (!line) return;
  long long declared = 0, present = 0;
  if (std::sscanf(line, "\ndata : %lld (should be %lld)", &declared, &present) == 2 &&
      present < declared)
    fail_audio(AudioFault::corrupt,
               "{}: truncated: the data chunk declares {} bytes, the file holds {}", name, declared,
               present);
}

void check_header(SNDFILE* file, const SF_INFO& info, const std::string& name,
                  const AudioLimits& limits) {
  if (info.samplerate <= 0)
    fail_audio(AudioFault::corrupt, "{}: invalid sample rate {}", name, info.samplerate);
  if (info.channels <= 0)
    fail_audio(AudioFault::corrupt, "{}: invalid channel count {}", name, info.channels);
  check_declared_length(info_of(info), name, limits);
  reject_truncated(file, name);
  if (info.frames == 0) fail_audio(AudioFault::corrupt, "{}: no audio samples", name);
}

// Averages each frame's channels into `mono` (librosa.to_mono: float32 mean).
void append_mono(std::span<const float> interleaved, std::size_t channels,
                 std::vector<float>& mono) {
  const float scale = 1.0f / static_cast<float>(channels);
  for (std::size_t t = 0; t < interleaved.size() / channels; ++t) {
    const float* frame = interleaved.data() + t * channels;
    float sum = 0.0f;
    for (std::size_t c = 0; c < channels; ++c) sum += frame[c];
    mono.push_back(channels == 1 ? sum : sum * scale);
  }
}

// Decodes a chunk at a time into mono, stopping at the duration limit whatever the header said,
// and rejects what librosa would silently pass on to the features: no samples, NaN or Inf.
Audio read_mono(SNDFILE* file, const SF_INFO& info, const std::string& name,
                const AudioLimits& limits) {
  const auto channels = static_cast<std::size_t>(info.channels);
  const auto max_frames =
      static_cast<std::size_t>(std::floor(limits.max_seconds * info.samplerate));
  constexpr std::size_t kChunkSamples = std::size_t{1} << 16;
  const std::size_t chunk_frames = std::max<std::size_t>(kChunkSamples / channels, 1);
  std::vector<float> chunk(chunk_frames * channels);

  Audio audio;
  audio.sample_rate = info.samplerate;
  if (info.frames > 0)
    audio.samples.reserve(std::min(static_cast<std::size_t>(info.frames), max_frames));
  for (;;) {
    const sf_count_t got =
        sf_readf_float(file, chunk.data(), static_cast<sf_count_t>(chunk_frames));
    if (got <= 0) break;
    const auto frames = static_cast<std::size_t>(got);
    if (audio.samples.size() + frames > max_frames)
      fail_audio(AudioFault::too_long,
                 "{}: too long: it decodes to more than {:g} s of audio, the limit is {:g} s "
                 "(--max-seconds)",
                 name, limits.max_seconds, limits.max_seconds);
    append_mono({chunk.data(), frames * channels}, channels, audio.samples);
  }
  if (audio.samples.empty())
    fail_audio(AudioFault::corrupt, "{}: no audio samples could be read ({})", name,
               sf_strerror(file));
  if (info.frames > 0 && static_cast<sf_count_t>(audio.samples.size()) < info.frames)
    fail_audio(AudioFault::corrupt,
               "{}: truncated: header announces {} frames, only {} could be read", name,
               info.frames, audio.samples.size());
  for (std::size_t t = 0; t < audio.samples.size(); ++t)
    if (!std::isfinite(audio.samples[t]))
      fail_audio(AudioFault::corrupt, "{}: sample {} is {} (the file holds non-finite values)",
                 name, t, std::isnan(audio.samples[t]) ? "NaN" : "Inf");
  return audio;
}

// Opens bytes in memory; `reader` must outlive the returned handle.
SndfilePtr open_memory(MemoryReader& reader, SF_INFO& info, const std::string& name) {
  if (reader.bytes.empty()) fail_audio(AudioFault::empty, "{}: empty file", name);
  SF_VIRTUAL_IO io{&MemoryReader::size, &MemoryReader::seek, &MemoryReader::read,
                   &MemoryReader::write, &MemoryReader::tell};
  SndfilePtr file(sf_open_virtual(&io, SFM_READ, &info, &reader));
  if (!file)
    fail_audio(AudioFault::not_audio, "{}: not a readable audio file ({})", name,
               sf_strerror(nullptr));
  return file;
}

}  // namespace

void check_declared_length(const AudioInfo& info, const std::string& name,
                           const AudioLimits& limits) {
  if (info.sample_rate <= 0 || info.frames <= 0) return;
  const double seconds = static_cast<double>(info.frames) / info.sample_rate;
  if (seconds > limits.max_seconds)
    fail_audio(AudioFault::too_long,
               "{}: too long: {:.1f} s of audio, the limit is {:g} s (--max-seconds)", name,
               seconds, limits.max_seconds);
}

Audio decode_audio_memory(std::span<const std::byte> bytes, const std::string& name,
                          const AudioLimits& limits) {
  if (bytes.size() > limits.max_bytes)
    fail_audio(AudioFault::too_big, "{}: too big: {} bytes, the limit is {} bytes (--max-bytes)",
               name, bytes.size(), limits.max_bytes);
  MemoryReader reader{bytes};
  SF_INFO info{};
  SndfilePtr file = open_memory(reader, info, name);
  check_header(file.get(), info, name, limits);
  return read_mono(file.get(), info, name, limits);
}

Audio decode_audio(const std::filesystem::path& path, const AudioLimits& limits) {
  const std::string bytes = read_audio_file(path, limits);
  return decode_audio_memory(std::as_bytes(std::span(bytes.data(), bytes.size())), path.string(),
                             limits);
}

AudioInfo probe_audio(const std::filesystem::path& path) {
  SF_INFO info{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file)
    fail_audio(AudioFault::not_audio, "{}: not a readable audio file ({})", path.string(),
               sf_strerror(nullptr));
  return info_of(info);
}

AudioInfo probe_audio_memory(std::span<const std::byte> bytes, const std::string& name) {
  MemoryReader reader{bytes};
  SF_INFO info{};
  SndfilePtr file = open_memory(reader, info, name);
  return info_of(info);
}

}  // namespace audify
