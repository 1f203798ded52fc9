#include "augment/batch_augment.h"

#include <algorithm>
#include <random>

#include "core/philox.h"

namespace audify {
namespace {

using nn::cnn::InputScaling;
using nn::cnn::Tensor;

// Up to `count` masks of up to `widest` rows (or columns) each, set to 0: the training mean after
// scaling, as SpecAugment masks to the mean.
void mask(float* image, int bands, int frames, bool along_time, int count, int widest,
          PhiloxStream& rng) {
  const int extent = along_time ? frames : bands;
  for (int m = 0; m < count; ++m) {
    const int width =
        static_cast<int>(rng.below(static_cast<uint32_t>(std::min(widest, extent) + 1)));
    if (width == 0) continue;
    const int start = static_cast<int>(rng.below(static_cast<uint32_t>(extent - width + 1)));
    for (int b = 0; b < bands; ++b)
      for (int t = 0; t < frames; ++t) {
        const int at = along_time ? t : b;
        if (at >= start && at < start + width)
          image[static_cast<std::size_t>(b) * frames + t] = 0.0f;
      }
  }
}

}  // namespace

nn::cnn::BatchAugmenter make_batch_augmenter(const AugmentOptions& o, uint64_t seed) {
  if (!o.on_the_fly()) return {};
  return [o, seed](Tensor& x, std::vector<float>& targets, std::span<const uint32_t> clips,
                   int epoch, const InputScaling& scaling) {
    const int n = x.shape.n, bands = x.shape.h, frames = x.shape.w;
    PhiloxStream rng(seed ^ (static_cast<uint64_t>(clips.front()) << 32), RandomStream::kAugment,
                     static_cast<uint32_t>(epoch));
    for (int k = 0; k < n; ++k) {
      float* image = x.sample(k);
      if (o.gain_db > 0) {
        // A gain of g dB adds g to every log-mel value (power_to_db with a fixed ref).
        const float g = static_cast<float>((2.0 * uniform01(rng.next_u32()) - 1.0) * o.gain_db);
        const float shift = g * scaling.inv_std;
        for (std::size_t i = 0; i < x.shape.sample_size(); ++i) image[i] += shift;
      }
      mask(image, bands, frames, true, o.time_masks, o.time_mask_frames, rng);
      mask(image, bands, frames, false, o.freq_masks, o.freq_mask_bands, rng);
    }
    if (o.mixup_alpha > 0 && n > 1) {
      // One lambda per batch (Zhang et al. 2018's code), each sample mixed with the batch
      // reversed: the batch order is already a random shuffle.
      std::mt19937_64 engine(rng.next_u32() | (static_cast<uint64_t>(rng.next_u32()) << 32));
      std::gamma_distribution<double> gamma(o.mixup_alpha, 1.0);
      const double a = gamma(engine), b = gamma(engine);
      const float lambda = a + b > 0 ? static_cast<float>(a / (a + b)) : 1.0f;
      const std::vector<float> images = x.data, soft = targets;
      const std::size_t size = x.shape.sample_size(),
                        classes = targets.size() / static_cast<std::size_t>(n);
      for (int k = 0; k < n; ++k) {
        const std::size_t i = static_cast<std::size_t>(k), j = static_cast<std::size_t>(n - 1 - k);
        for (std::size_t e = 0; e < size; ++e)
          x.data[i * size + e] =
              lambda * images[i * size + e] + (1 - lambda) * images[j * size + e];
        for (std::size_t c = 0; c < classes; ++c)
          targets[i * classes + c] =
              lambda * soft[i * classes + c] + (1 - lambda) * soft[j * classes + c];
      }
    }
  };
}

}  // namespace audify
