// librosa.load's contract: decode, mix to mono, resample to the target rate, validate.
#pragma once

#include <filesystem>

#include "audio/decode.h"
#include "audio/resample.h"

namespace audify {

struct LoadOptions {
  int sample_rate = 22050;                       // target rate, Hz
  Resampler resampler = Resampler::kaiser_fast;  // the seed's res_type
};

Audio load_audio(const std::filesystem::path& path, const LoadOptions& options);
// Resamples already-decoded audio to the target rate (used for uploads decoded from memory).
Audio conform_audio(Audio audio, const LoadOptions& options);

}  // namespace audify
