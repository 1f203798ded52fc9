// What a CNN sees of a clip: fixed-size windows of its frame-level features. Training takes one
// random window per clip per epoch (the time-shift augmentation of Salamon & Bello 2017); a clip is
// classified by the mean softmax of its windows at a hop. Inputs are scaled by one scalar mean and
// deviation measured on the training clips (as the PyTorch reference does).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace audify::nn::cnn {

// Clips' frame-level features, each row-major (frames, bands), e.g. a FrameStore's clips.
struct ClipSpectrograms {
  int bands = 0;
  std::vector<std::span<const float>> clips;
  // Training only, optional: variants[i] are clip i's augmented versions (same label).
  std::vector<std::vector<std::span<const float>>> variants;
  // How many versions of each training clip an epoch trains on, when it has variants: 1 = one
  // drawn uniformly from the clip and its variants (as many steps as without them); k > 1 = the
  // clip itself and k - 1 distinct variants, so an epoch is k times as long; 0 = all of them,
  // Salamon & Bello 2017's augmented training set.
  int versions_per_epoch = 1;
  std::size_t size() const { return clips.size(); }
  int frames(std::size_t i) const { return static_cast<int>(clips[i].size() / bands); }
};

struct InputScaling {
  float mean = 0.0f, inv_std = 1.0f;  // x -> (x - mean) * inv_std
};

// Mean and deviation over every value of the first `count` clips (a constant input gets 1).
InputScaling fit_input_scaling(const ClipSpectrograms& clips, std::size_t count);

// Writes frames [start, start + window) of `clip` as one (bands, window) image (rows = bands, as
// the network's height), scaled. Frames past the clip's end repeat its lowest value: what
// zero-padded audio gives once power_to_db's top_db floor is applied.
void copy_window(std::span<const float> clip, int bands, int start, int window,
                 const InputScaling& scaling, float* image);

// A training window's first frame: uniform over the clip's valid starts (0 for a short clip).
// Philox(seed, kCrop, epoch, clip), so a run is reproducible whatever the batch order.
int random_window_start(int frames, int window, uint64_t seed, uint32_t epoch, uint32_t clip);

// Which version of clip `clip` an epoch trains on: 0 = the clip, v = its variant v - 1.
// Philox(seed, kAugment, epoch, clip), uniform over the 1 + variants versions.
std::size_t random_version(std::size_t variants, uint64_t seed, uint32_t epoch, uint32_t clip);

// The version of clip `clip` that an epoch's copy `copy` (of versions_per_epoch > 1) trains on:
// copy 0 is the clip itself, copies 1, 2, ... its variants in an order drawn afresh each epoch
// (a partial Fisher-Yates shuffle from Philox(seed, kAugment, epoch, clip)), wrapping around when
// there are fewer variants than copies.
std::size_t epoch_copy_version(std::size_t variants, std::size_t copy, uint64_t seed,
                               uint32_t epoch, uint32_t clip);

// Evaluation windows' first frames: 0, hop, 2 hop, ... while the window fits (one at 0 for a clip
// shorter than the window).
std::vector<int> window_starts(int frames, int window, int hop);

}  // namespace audify::nn::cnn
