// The frame-level features of a dataset (features.summary = "none"): every clip's (frames, bands)
// matrix in one packed buffer, which CNN training crops windows from without recomputation. A store
// is saved as one file per dataset and feature options (features/extract_frames.h caches it).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/matrix.h"

namespace audify {

class FrameStore {
 public:
  FrameStore() = default;
  explicit FrameStore(int bands) : bands_(bands) {}

  int bands() const { return bands_; }
  std::size_t clips() const { return offsets_.size() - 1; }
  int frames(std::size_t clip) const {
    return static_cast<int>(offsets_[clip + 1] - offsets_[clip]);
  }
  // Clip `clip`'s frames, row-major (frames, bands).
  std::span<const float> clip(std::size_t clip) const {
    return {values_.data() + offsets_[clip] * static_cast<std::size_t>(bands_),
            static_cast<std::size_t>(frames(clip)) * static_cast<std::size_t>(bands_)};
  }
  // Appends a (frames, bands) matrix; throws audify::Error when its width is not bands().
  void append(const Matrix& frames);
  std::size_t bytes() const { return values_.size() * sizeof(float); }
  // A store of these clips, in this order.
  FrameStore subset(std::span<const std::size_t> clips) const;

  // Writes atomically: magic, a JSON header (bands, per-clip frame counts, `notes`), the floats and
  // their XXH3-64. `notes` is caller data kept with the store (extract_frames: job indices,
  // errors).
  void save(const std::filesystem::path& path, const std::string& notes) const;
  // Throws audify::Error naming the file when it is not a store or fails its checksum.
  static FrameStore load(const std::filesystem::path& path, std::string* notes = nullptr);

 private:
  int bands_ = 0;
  std::vector<std::size_t> offsets_{0};  // clip i spans frames [offsets_[i], offsets_[i + 1])
  std::vector<float> values_;
};

// Variants of a store's clips (audio-level augmentation): store v holds clip i's variant at index
// clip_of[v][i], or -1 where that variant failed to extract.
struct FrameVariants {
  std::vector<std::string> names;  // per variant, e.g. "pitch+2"
  std::vector<FrameStore> stores;
  std::vector<std::vector<std::ptrdiff_t>> clip_of;

  // Clip i's variants that exist, in variant order.
  std::vector<std::span<const float>> of(std::size_t clip) const;
};

}  // namespace audify
