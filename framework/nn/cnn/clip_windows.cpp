#include "nn/cnn/clip_windows.h"

#include <algorithm>
#include <cmath>

#include "core/philox.h"

namespace audify::nn::cnn {

InputScaling fit_input_scaling(const ClipSpectrograms& clips, std::size_t count) {
  double sum = 0.0, sq = 0.0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < count; ++i) {
    for (float v : clips.clips[i]) sum += v;
    n += clips.clips[i].size();
  }
  if (n == 0) return {};
  const double mean = sum / static_cast<double>(n);
  for (std::size_t i = 0; i < count; ++i)
    for (float v : clips.clips[i]) sq += (v - mean) * (v - mean);
  const double sd = std::sqrt(sq / static_cast<double>(n));
  return {static_cast<float>(mean), sd > 0 ? static_cast<float>(1.0 / sd) : 1.0f};
}

void copy_window(std::span<const float> clip, int bands, int start, int window,
                 const InputScaling& s, float* image) {
  const int frames = static_cast<int>(clip.size() / static_cast<std::size_t>(bands));
  const float floor = clip.empty() ? 0.0f : *std::min_element(clip.begin(), clip.end());
  const float pad = (floor - s.mean) * s.inv_std;
  for (int t = 0; t < window; ++t) {
    const int f = start + t;
    if (f >= frames) {
      for (int b = 0; b < bands; ++b) image[static_cast<std::size_t>(b) * window + t] = pad;
      continue;
    }
    const float* row = clip.data() + static_cast<std::size_t>(f) * bands;
    for (int b = 0; b < bands; ++b)
      image[static_cast<std::size_t>(b) * window + t] = (row[b] - s.mean) * s.inv_std;
  }
}

int random_window_start(int frames, int window, uint64_t seed, uint32_t epoch, uint32_t clip) {
  if (frames <= window) return 0;
  const uint64_t word = philox_word(seed, RandomStream::kCrop, epoch, clip, 0);
  return static_cast<int>((word * static_cast<uint64_t>(frames - window + 1)) >> 32);
}

std::size_t random_version(std::size_t variants, uint64_t seed, uint32_t epoch, uint32_t clip) {
  if (variants == 0) return 0;
  const uint64_t word = philox_word(seed, RandomStream::kAugment, epoch, clip, 1);
  return static_cast<std::size_t>((word * (variants + 1)) >> 32);
}

std::size_t epoch_copy_version(std::size_t variants, std::size_t copy, uint64_t seed,
                               uint32_t epoch, uint32_t clip) {
  if (copy == 0 || variants == 0) return 0;
  const std::size_t wanted = (copy - 1) % variants;
  std::vector<std::size_t> order(variants);
  for (std::size_t v = 0; v < variants; ++v) order[v] = v;
  for (std::size_t j = 0; j <= wanted; ++j) {
    const uint64_t word =
        philox_word(seed, RandomStream::kAugment, epoch, clip, 2 + static_cast<uint32_t>(j));
    const std::size_t pick = j + static_cast<std::size_t>((word * (variants - j)) >> 32);
    std::swap(order[j], order[pick]);
  }
  return order[wanted] + 1;
}

std::vector<int> window_starts(int frames, int window, int hop) {
  std::vector<int> starts;
  for (int s = 0; s + window <= frames; s += hop) starts.push_back(s);
  if (starts.empty()) starts.push_back(0);
  return starts;
}

}  // namespace audify::nn::cnn
