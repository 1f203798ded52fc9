// The CUDA backend's factory for features/backend.h: one GpuApi (stream, plans, handles) per
// extractor, so extractors on different threads never share a stream.
#include "backend_cuda.h"

#include <string>

#include "device.h"
#include "features/backend.h"
#include "gpu_api_cuda.h"
#include "mfcc_gpu.h"

namespace audify::cuda {
namespace {

std::unique_ptr<FeatureExtractor> make_cuda_extractor(const MfccOptions& options,
                                                      std::string& why_unavailable) {
  const DeviceStatus status = query_devices();
  if (status.device_count == 0) {
    why_unavailable = status.reason;
    return nullptr;
  }
  return gpu::make_gpu_extractor(options, gpu::make_cuda_api());
}

}  // namespace

void register_cuda_backend() {
  set_cuda_extractor_factory(&make_cuda_extractor);
}

}  // namespace audify::cuda
