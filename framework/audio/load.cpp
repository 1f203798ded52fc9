#include "audio/load.h"

#include "core/error.h"

namespace audify {

Audio conform_audio(Audio audio, const LoadOptions& options, const std::string& name) {
  if (options.sample_rate <= 0)
    fail("features.sample_rate: must be positive, got {}", options.sample_rate);
  if (audio.sample_rate != options.sample_rate) {
    try {
      audio.samples =
          resample(audio.samples, audio.sample_rate, options.sample_rate, options.resampler);
    } catch (const Error& e) {
      fail("{}: {}", name, e.what());
    }
    audio.sample_rate = options.sample_rate;
  }
  return audio;
}

Audio load_audio(const std::filesystem::path& path, const LoadOptions& options,
                 const AudioLimits& limits) {
  return conform_audio(decode_audio(path, limits), options, path.string());
}

}  // namespace audify
