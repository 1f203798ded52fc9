#include "audio/decode.h"

#include <sndfile.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "core/error.h"

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
    fail("{}: truncated: the data chunk declares {} bytes, the file holds {}", name, declared,
         present);
}

// Reads every frame, mixes to mono by averaging the channels (librosa.to_mono: float32 mean), and
// rejects what librosa would silently pass on to the features: no samples, NaN or Inf.
Audio read_all(SNDFILE* file, const SF_INFO& info, const std::string& name) {
  if (info.samplerate <= 0) fail("{}: invalid sample rate {}", name, info.samplerate);
  if (info.channels <= 0) fail("{}: invalid channel count {}", name, info.channels);
  reject_truncated(file, name);
  if (info.frames <= 0) fail("{}: no audio samples", name);
  // The seed's clips are at most 4 s; anything over ~3 hours at 48 kHz is not a clip.
  constexpr sf_count_t kMaxSamples = sf_count_t{1} << 29;
  if (info.frames > kMaxSamples / info.channels)
    fail("{}: too long ({} frames x {} channels)", name, info.frames, info.channels);

  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> interleaved(static_cast<std::size_t>(info.frames) * channels);
  const sf_count_t got = sf_readf_float(file, interleaved.data(), info.frames);
  if (got <= 0) fail("{}: no audio samples could be read ({})", name, sf_strerror(file));
  if (got < info.frames)
    fail("{}: truncated: header announces {} frames, only {} could be read", name, info.frames,
         got);

  Audio audio;
  audio.sample_rate = info.samplerate;
  audio.samples.resize(static_cast<std::size_t>(got));
  const float scale = 1.0f / static_cast<float>(channels);
  for (std::size_t t = 0; t < audio.samples.size(); ++t) {
    const float* frame = interleaved.data() + t * channels;
    float sum = 0.0f;
    for (std::size_t c = 0; c < channels; ++c) sum += frame[c];
    audio.samples[t] = channels == 1 ? sum : sum * scale;
  }
  for (std::size_t t = 0; t < audio.samples.size(); ++t)
    if (!std::isfinite(audio.samples[t]))
      fail("{}: sample {} is {} (the file holds non-finite values)", name, t,
           std::isnan(audio.samples[t]) ? "NaN" : "Inf");
  return audio;
}

// Opens bytes in memory; `reader` must outlive the returned handle.
SndfilePtr open_memory(MemoryReader& reader, SF_INFO& info, const std::string& name) {
  if (reader.bytes.empty()) fail("{}: empty file", name);
  SF_VIRTUAL_IO io{&MemoryReader::size, &MemoryReader::seek, &MemoryReader::read,
                   &MemoryReader::write, &MemoryReader::tell};
  SndfilePtr file(sf_open_virtual(&io, SFM_READ, &info, &reader));
  if (!file) fail("{}: not a readable audio file ({})", name, sf_strerror(nullptr));
  return file;
}

}  // namespace

Audio decode_audio(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail("{}: file not found", name);
  if (std::filesystem::is_directory(path, ec)) fail("{}: is a folder, not an audio file", name);
  if (std::filesystem::file_size(path, ec) == 0) fail("{}: empty file", name);
  SF_INFO info{};
  SndfilePtr file(sf_open(name.c_str(), SFM_READ, &info));
  if (!file) fail("{}: not a readable audio file ({})", name, sf_strerror(nullptr));
  return read_all(file.get(), info, name);
}

Audio decode_audio_memory(std::span<const std::byte> bytes, const std::string& name) {
  MemoryReader reader{bytes};
  SF_INFO info{};
  SndfilePtr file = open_memory(reader, info, name);
  return read_all(file.get(), info, name);
}

AudioInfo probe_audio(const std::filesystem::path& path) {
  SF_INFO info{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) fail("{}: not a readable audio file ({})", path.string(), sf_strerror(nullptr));
  return {info.samplerate, info.channels, static_cast<long long>(info.frames),
          format_name(info.format)};
}

AudioInfo probe_audio_memory(std::span<const std::byte> bytes, const std::string& name) {
  MemoryReader reader{bytes};
  SF_INFO info{};
  SndfilePtr file = open_memory(reader, info, name);
  return {info.samplerate, info.channels, static_cast<long long>(info.frames),
          format_name(info.format)};
}

}  // namespace audify
