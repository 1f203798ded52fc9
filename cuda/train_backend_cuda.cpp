// The device trainer's registration: usable when cuda::query_devices() finds a device; each
// trainer owns a GpuApi (its own stream and cuBLAS handle).
#include "train_backend_cuda.h"

#include <string>

#include "device.h"
#include "gpu_api_cuda.h"
#include "mlp_gpu.h"
#include "nn/train_backend.h"

namespace audify::cuda {
namespace {

bool cuda_usable(std::string& why_unavailable) {
  const DeviceStatus status = query_devices();
  if (status.device_count > 0) return true;
  why_unavailable = status.reason;
  return false;
}

std::unique_ptr<nn::DeviceTrainer> make_cuda_trainer() {
  return gpu::make_gpu_trainer(gpu::make_cuda_api());
}

}  // namespace

void register_cuda_trainer() {
  nn::set_device_trainer_backend({&cuda_usable, &make_cuda_trainer});
}

}  // namespace audify::cuda
