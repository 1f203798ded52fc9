// Decoding audio with libsndfile (WAV of every PCM/float width incl. WAVE_FORMAT_EXTENSIBLE, FLAC,
// OGG, ...) into mono float samples at the file's own rate, as librosa.load does before it
// resamples: integers scaled by 1/2^(bits-1) (8-bit unsigned offset by 128 first), channels
// averaged. Every path (extract, classify, serve) decodes header first within AudioLimits: the
// size, then the header's format and declared length, and only then the samples, a chunk at a
// time, so no input can make it allocate more than one clip within the limits takes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "audio/audio_limits.h"

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
  long long frames = 0;  // as the header declares (negative: unknown)
  std::string format;    // e.g. "WAV PCM_16"
};

// An audio file's bytes in memory, decoded. Throws AudioError naming the file: empty, over
// limits.max_bytes, not audio, declaring or decoding to more than limits.max_seconds, truncated,
// no samples, NaN/Inf samples. `name` names the clip in messages.
Audio decode_audio_memory(std::span<const std::byte> bytes, const std::string& name,
                          const AudioLimits& limits = {});
// A file: read_audio_file (audio_file.h), then decode_audio_memory; the same errors, and missing,
// a folder, unreadable.
Audio decode_audio(const std::filesystem::path& path, const AudioLimits& limits = {});

// The header alone, without decoding: format, rate, channels, declared frames. Throws AudioError
// (not_audio, corrupt). probe_audio opens the path itself: for regular files only (a pipe or a
// device would be read from).
AudioInfo probe_audio(const std::filesystem::path& path);
AudioInfo probe_audio_memory(std::span<const std::byte> bytes, const std::string& name);
// Throws AudioError too_long when the header declares more than limits.max_seconds.
void check_declared_length(const AudioInfo& info, const std::string& name,
                           const AudioLimits& limits);

}  // namespace audify
