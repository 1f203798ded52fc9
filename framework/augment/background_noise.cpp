#include "augment/background_noise.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "audio/load.h"
#include "core/error.h"
#include "core/philox.h"

namespace audify {
namespace {

// A noise recording at the rates clips asked for, loaded once each.
class NoiseRecording {
 public:
  explicit NoiseRecording(std::filesystem::path path) : path_(std::move(path)) {}
  const std::vector<float>& at_rate(int sample_rate) {
    const std::lock_guard lock(mutex_);
    auto it = by_rate_.find(sample_rate);
    if (it == by_rate_.end()) {
      LoadOptions options;
      options.sample_rate = sample_rate;
      Audio audio = load_audio(path_, options);
      if (audio.samples.empty()) fail("augment.noise_files: {} has no samples", path_.string());
      it = by_rate_.emplace(sample_rate, std::move(audio.samples)).first;
    }
    return it->second;
  }

 private:
  std::filesystem::path path_;
  std::mutex mutex_;
  std::map<int, std::vector<float>> by_rate_;
};

// The cache key's part for a noise file: its absolute path, size and modification time, so
// variants are recomputed when the file changes.
std::string file_identity(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail("augment.noise_files: {} cannot be read ({})", path.string(), ec.message());
  const auto mtime = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
  return fmt::format("{}|{}|{}", std::filesystem::absolute(path).string(), size, mtime);
}

}  // namespace

std::vector<float> mix_background(std::span<const float> clip, std::span<const float> noise,
                                  double weight, std::size_t offset) {
  if (noise.empty()) fail("mix_background: the noise has no samples");
  std::vector<float> out(clip.size());
  const auto w = static_cast<float>(weight);
  for (std::size_t i = 0; i < clip.size(); ++i)
    out[i] = (1.0f - w) * clip[i] + w * noise[(offset + i) % noise.size()];
  return out;
}

std::vector<AudioTransform> background_noise_variants(const std::vector<std::string>& noise_files,
                                                      double weight_min, double weight_max) {
  std::vector<AudioTransform> out;
  for (std::size_t f = 0; f < noise_files.size(); ++f) {
    auto recording = std::make_shared<NoiseRecording>(noise_files[f]);
    const auto index = static_cast<uint32_t>(f);
    out.push_back(
        {fmt::format("noise:{}:{:g}-{:g}", file_identity(noise_files[f]), weight_min, weight_max),
         [=](std::span<const float> clip, int sample_rate) {
           const std::vector<float>& noise = recording->at_rate(sample_rate);
           const uint64_t clip_hash = XXH3_64bits(clip.data(), clip.size_bytes());
           PhiloxStream draws(clip_hash, RandomStream::kNoise, index);
           const double weight =
               weight_min + (weight_max - weight_min) * uniform01(draws.next_u32());
           const std::size_t offset = draws.next_u32() % noise.size();
           return mix_background(clip, noise, weight, offset);
         }});
  }
  return out;
}

}  // namespace audify
