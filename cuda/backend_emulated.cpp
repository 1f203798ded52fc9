// The emulated CUDA backend (see backend_emulated.h).
#include "backend_emulated.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "features/backend.h"
#include "gpu_api.h"
#include "mfcc_gpu.h"
#include "train_backend_cuda.h"

namespace audify::cuda {
namespace {

// Host memory is the device here: small batches keep two slots' buffers at ~100 MB.
constexpr std::size_t kClipsPerBatch = 16;

std::string always_available() {
  return {};
}

std::unique_ptr<FeatureExtractor> extractor(const MfccOptions& options) {
  return gpu::make_gpu_extractor(options, gpu::make_emulated_api());
}

std::unique_ptr<BatchExtractor> batch_extractor(const FeatureOptions& options) {
  return gpu::make_gpu_batch_extractor(options, &gpu::make_emulated_api, kClipsPerBatch);
}

const CudaBackendHooks kHooks{"cuda-emulated", &always_available, &extractor, &batch_extractor};

}  // namespace

void register_emulated_backend() {
  set_cuda_backend(&kHooks);
  register_emulated_trainer();
}

bool register_emulated_backend_if_requested() {
  const char* env = std::getenv("AUDIFY_CUDA_EMULATE");
  if (env == nullptr || std::string_view(env) != "1") return false;
  register_emulated_backend();
  spdlog::warn(
      "AUDIFY_CUDA_EMULATE=1: device=cuda runs the GPU pipeline in host emulation (for "
      "testing; slow)");
  return true;
}

}  // namespace audify::cuda
