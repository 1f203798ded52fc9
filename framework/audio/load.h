// librosa.load's contract: decode, mix to mono, resample to the target rate, validate.
#pragma once

#include <filesystem>
#include <string>

#include "audio/decode.h"
#include "audio/resample.h"

namespace audify {

struct LoadOptions {
  int sample_rate = 22050;                       // target rate, Hz
  Resampler resampler = Resampler::kaiser_fast;  // the seed's res_type
};

Audio load_audio(const std::filesystem::path& path, const LoadOptions& options,
                 const AudioLimits& limits = {});
// Resamples already-decoded audio to the target rate; errors (a clip too short to resample) name
// the clip as `name`.
Audio conform_audio(Audio audio, const LoadOptions& options, const std::string& name);

}  // namespace audify
