// The feature-extraction backend seam. The CPU implementation (FFTW + OpenBLAS) is the reference;
// the CUDA backend (cuda/) implements the same interface. An extractor owns its scratch buffers,
// so use one per thread; the expensive tables and FFT plans are shared between them.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "core/matrix.h"
#include "features/mfcc_options.h"

namespace audify {

class FeatureExtractor {
 public:
  virtual ~FeatureExtractor() = default;
  virtual std::string_view backend() const = 0;
  virtual const MfccOptions& options() const = 0;

  // power_to_db(melspectrogram(y)): (frames, n_mels). `y` at options().sample_rate.
  virtual Matrix log_mel(std::span<const float> y) = 0;
  // librosa.feature.mfcc(y): (frames, n_mfcc).
  virtual Matrix mfcc(std::span<const float> y) = 0;
};

// The CPU reference backend. Throws audify::Error for invalid options.
std::unique_ptr<FeatureExtractor> make_cpu_extractor(const MfccOptions& options);

}  // namespace audify
