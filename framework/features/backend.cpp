// Backend selection for feature extraction (see backend.h).
#include "features/backend.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "core/error.h"

namespace audify {
namespace {

std::atomic<CudaExtractorFactory> cuda_factory{nullptr};

}  // namespace

Device parse_device(std::string_view text) {
  if (text == "auto") return Device::auto_;
  if (text == "cpu") return Device::cpu;
  if (text == "cuda") return Device::cuda;
  fail("device: unknown device '{}' (expected auto, cpu or cuda)", text);
}

std::string_view device_name(Device device) {
  switch (device) {
    case Device::auto_:
      return "auto";
    case Device::cpu:
      return "cpu";
    case Device::cuda:
      return "cuda";
  }
  return "?";
}

void set_cuda_extractor_factory(CudaExtractorFactory factory) {
  cuda_factory.store(factory);
}

std::unique_ptr<FeatureExtractor> make_extractor(Device device, const MfccOptions& options) {
  if (device == Device::cpu) return make_cpu_extractor(options);
  std::string why = "this build has no CUDA backend (configure with -DAUDIFY_CUDA=ON)";
  if (const CudaExtractorFactory factory = cuda_factory.load()) {
    why.clear();
    if (auto extractor = factory(options, why)) return extractor;
  }
  if (device == Device::cuda) fail("device=cuda: the CUDA backend is unusable: {}", why);
  static std::once_flag logged;
  std::call_once(logged, [&] { spdlog::info("device=auto: using the CPU backend ({})", why); });
  return make_cpu_extractor(options);
}

}  // namespace audify
