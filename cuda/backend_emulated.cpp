// The emulated CUDA backend (see backend_emulated.h).
#include "backend_emulated.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "compute_capability.h"
#include "core/error.h"
#include "features/backend.h"
#include "gpu_api.h"
#include "mfcc_gpu.h"
#include "train_backend_cuda.h"

namespace audify::cuda {
namespace {

// Host memory is the device here: small batches keep two slots' buffers at ~100 MB.
constexpr std::size_t kClipsPerBatch = 16;

std::unique_ptr<FeatureExtractor> extractor(const MfccOptions& options) {
  return gpu::make_gpu_extractor(options, gpu::make_emulated_api());
}

std::unique_ptr<BatchExtractor> batch_extractor(const FeatureOptions& options) {
  return gpu::make_gpu_batch_extractor(options, &gpu::make_emulated_api, kClipsPerBatch);
}

const CudaBackendHooks kHooks{"cuda-emulated", &emulated_device_unsupported_reason, &extractor,
                              &batch_extractor};

}  // namespace

void register_emulated_backend() {
  set_cuda_backend(&kHooks);
  register_emulated_trainer();
}

std::string emulated_device_unsupported_reason() {
  const char* env = std::getenv("AUDIFY_CUDA_EMULATE_CC");
  if (env == nullptr || *env == '\0') return {};
  const std::optional<ComputeCapability> cc = parse_compute_capability(env);
  if (!cc) fail("AUDIFY_CUDA_EMULATE_CC: expected a compute capability such as 8.6, got '{}'", env);
  return check_built_for(*cc, fmt::format("the emulated GPU (AUDIFY_CUDA_EMULATE_CC={})", env));
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
