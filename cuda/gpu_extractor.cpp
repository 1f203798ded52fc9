// The FeatureExtractor adapter over MfccGpu, so the rest of Audify (extract, serve, bench) can use
// the GPU backend through the same seam as the CPU one: a batch of one clip per call.
#include <span>
#include <string_view>
#include <utility>

#include "mfcc_gpu.h"

namespace audify::gpu {
namespace {

class GpuExtractor final : public FeatureExtractor {
 public:
  GpuExtractor(const MfccOptions& options, GpuApi& api, std::unique_ptr<GpuApi> owned)
      : owned_(std::move(owned)), mfcc_(options, api) {}

  std::string_view backend() const override { return mfcc_.api().name(); }
  const MfccOptions& options() const override { return mfcc_.options(); }

  Matrix log_mel(std::span<const float> y) override {
    return std::move(mfcc_.log_mel_batch(Clips(&y, 1)).front());
  }
  Matrix mfcc(std::span<const float> y) override {
    return std::move(mfcc_.mfcc_batch(Clips(&y, 1)).front());
  }

 private:
  std::unique_ptr<GpuApi> owned_;  // declared first: destroyed after mfcc_'s device buffers
  MfccGpu mfcc_;
};

}  // namespace

std::unique_ptr<FeatureExtractor> make_gpu_extractor(const MfccOptions& options, GpuApi& api) {
  return std::make_unique<GpuExtractor>(options, api, nullptr);
}

std::unique_ptr<FeatureExtractor> make_gpu_extractor(const MfccOptions& options,
                                                     std::unique_ptr<GpuApi> api) {
  GpuApi& ref = *api;
  return std::make_unique<GpuExtractor>(options, ref, std::move(api));
}

}  // namespace audify::gpu
