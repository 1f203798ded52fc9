#include "audio/load.h"

#include "core/error.h"

namespace audify {

Audio conform_audio(Audio audio, const LoadOptions& options) {
  if (options.sample_rate <= 0)
    fail("features.sample_rate: must be positive, got {}", options.sample_rate);
  if (audio.sample_rate != options.sample_rate) {
    audio.samples =
        resample(audio.samples, audio.sample_rate, options.sample_rate, options.resampler);
    audio.sample_rate = options.sample_rate;
  }
  return audio;
}

Audio load_audio(const std::filesystem::path& path, const LoadOptions& options) {
  return conform_audio(decode_audio(path), options);
}

}  // namespace audify
