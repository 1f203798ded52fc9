// Background-noise mixing as muda's BackgroundNoise (Salamon & Bello 2017): a clip becomes
// (1 - w) * clip + w * noise, the noise a slice as long as the clip from a noise recording (looped
// when the recording is shorter) and w drawn uniformly in [weight_min, weight_max] per clip.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "features/extract_frames.h"

namespace audify {

// The mix with the noise slice starting at `offset` (modulo the noise's length).
std::vector<float> mix_background(std::span<const float> clip, std::span<const float> noise,
                                  double weight, std::size_t offset);

// One variant per noise file: the file is loaded (and resampled to each clip's rate) on first use;
// each clip's weight and slice are drawn from Philox keyed by the file's index and a hash of the
// clip's samples, so a clip's variant is the same whichever run, seed or thread extracts it (and
// one cached store serves every replicate, as muda's precomputed deformations did).
std::vector<AudioTransform> background_noise_variants(const std::vector<std::string>& noise_files,
                                                      double weight_min, double weight_max);

}  // namespace audify
