// Decoding audio files with libsndfile (WAV of every PCM/float width incl. WAVE_FORMAT_EXTENSIBLE,
// FLAC, OGG, ...) into mono float samples at the file's own rate, as librosa.load does before it
// resamples: integers scaled by 1/2^(bits-1) (8-bit unsigned offset by 128 first), channels
// averaged.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace audify {

struct Audio {
  std::vector<float> samples;  // mono
  int sample_rate = 0;         // Hz
  double duration_seconds() const {
    return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0;
  }
};

struct AudioInfo {
  int sample_rate = 0;
  int channels = 0;
  long long frames = 0;
  std::string format;  // e.g. "WAV PCM_16"
};

// Throws audify::Error naming the file and the problem: missing, empty, not audio, truncated,
// no samples, NaN/Inf samples.
Audio decode_audio(const std::filesystem::path& path);
// The same from bytes in memory (uploads); `name` is used in error messages.
Audio decode_audio_memory(std::span<const std::byte> bytes, const std::string& name);
AudioInfo probe_audio(const std::filesystem::path& path);
// The header of audio bytes in memory, without decoding them: lets a server refuse an upload that
// would decode to hours of audio before it allocates for it. Throws like decode_audio_memory.
AudioInfo probe_audio_memory(std::span<const std::byte> bytes, const std::string& name);

}  // namespace audify
