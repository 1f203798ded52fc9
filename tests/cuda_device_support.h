// What the real-device CUDA tests share: why this process cannot use a device, and the device's
// GpuApi. Without the CUDA backend in the build, every device test skips with the reason.
#pragma once

#include <memory>
#include <string>

#include "gpu_api.h"

#ifdef AUDIFY_WITH_CUDA
#include "device.h"
#include "gpu_api_cuda.h"
#endif

namespace audify::test {

// Empty when a device is usable.
inline std::string cuda_unavailable_reason() {
#ifdef AUDIFY_WITH_CUDA
  const cuda::DeviceStatus status = cuda::query_devices();
  return status.device_count > 0 ? "" : status.reason;
#else
  return "built without the CUDA backend (AUDIFY_CUDA=OFF or no nvcc)";
#endif
}

// The device's API; nullptr without the CUDA backend.
inline std::unique_ptr<gpu::GpuApi> cuda_device_api() {
#ifdef AUDIFY_WITH_CUDA
  return gpu::make_cuda_api();
#else
  return nullptr;
#endif
}

}  // namespace audify::test
