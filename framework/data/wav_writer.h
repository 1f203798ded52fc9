// Writes WAV files with libsndfile in the sample formats UrbanSound8K mixes (16/24-bit PCM,
// unsigned 8-bit, 32-bit float), atomically: a reader never sees a half-written file.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

namespace audify {

enum class WavSample { kPcm16, kPcm24, kPcmU8, kFloat32 };

struct WavFormat {
  int sample_rate = 44100;  // Hz
  int channels = 1;         // samples are interleaved
  WavSample sample = WavSample::kPcm16;
};

std::string_view to_string(WavSample sample);

// Writes `interleaved` (frames x channels, full scale +-1) to `path` via a temporary sibling and
// a rename. The output bytes depend only on the samples and the format (no timestamps), so equal
// inputs give identical files. Throws audify::Error naming the path on failure.
void write_wav_atomic(const std::filesystem::path& path, std::span<const float> interleaved,
                      const WavFormat& format);

}  // namespace audify
