// The on-the-fly augmentations of a training batch (augment.gain_db, SpecAugment masks, mixup) as
// the CNN trainer's BatchAugmenter. Every draw is Philox(seed, kAugment, epoch, first clip of the
// batch), so a run is reproducible for a seed.
#pragma once

#include <cstdint>

#include "augment/augment_options.h"
#include "nn/cnn/cnn_fit.h"

namespace audify {

// An empty function when `options` has no on-the-fly augmentation.
nn::cnn::BatchAugmenter make_batch_augmenter(const AugmentOptions& options, uint64_t seed);

}  // namespace audify
