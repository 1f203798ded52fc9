#include <cuda_runtime.h>

#include "device.h"

namespace audify::cuda {

DeviceStatus query_devices() {
  DeviceStatus status;
  const cudaError_t err = cudaGetDeviceCount(&status.device_count);
  if (err != cudaSuccess) {
    status.device_count = 0;
    status.reason = cudaGetErrorString(err);
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return status;
  }
  if (status.device_count == 0) {
    status.reason = "no CUDA device found";
    return status;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) status.name = prop.name;
  return status;
}

}  // namespace audify::cuda
