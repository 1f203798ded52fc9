// The CUDA backend's hooks for features/backend.h: every extractor gets GpuApi instances (streams,
// plans, handles) of its own, so extractors on different threads never share a stream.
#include "backend_cuda.h"

#include <string>

#include "device.h"
#include "features/backend.h"
#include "gpu_api_cuda.h"
#include "mfcc_gpu.h"
#include "train_backend_cuda.h"

namespace audify::cuda {
namespace {

// ~190 clips of 4 s per slot: about 1 GB of frames and spectra, two slots in flight.
constexpr std::size_t kClipsPerBatch = 256;

std::string unavailable_reason() {
  return query_devices().reason;
}

std::unique_ptr<FeatureExtractor> extractor(const MfccOptions& options) {
  return gpu::make_gpu_extractor(options, gpu::make_cuda_api());
}

std::unique_ptr<BatchExtractor> batch_extractor(const FeatureOptions& options) {
  return gpu::make_gpu_batch_extractor(options, &gpu::make_cuda_api, kClipsPerBatch);
}

const CudaBackendHooks kHooks{"cuda", &unavailable_reason, &extractor, &batch_extractor};

}  // namespace

void register_cuda_backend() {
  set_cuda_backend(&kHooks);
  register_cuda_trainer();
}

}  // namespace audify::cuda
