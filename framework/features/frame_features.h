// The frame-level matrix a feature set asks for (features.frames): MFCCs, or the log-mel
// spectrogram the MFCC is computed from (features=logmel128, the input of the CNN models).
#pragma once

#include <span>

#include "core/matrix.h"
#include "features/extractor.h"
#include "features/feature_options.h"

namespace audify {

// (frames, n_mfcc) or (frames, n_mels) of `y`, at options.load.sample_rate.
Matrix frame_features(FeatureExtractor& extractor, std::span<const float> y,
                      const FeatureOptions& options);

}  // namespace audify
