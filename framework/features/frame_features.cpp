#include "features/frame_features.h"

namespace audify {

Matrix frame_features(FeatureExtractor& extractor, std::span<const float> y,
                      const FeatureOptions& options) {
  return options.frames == Frames::log_mel ? extractor.log_mel(y) : extractor.mfcc(y);
}

}  // namespace audify
