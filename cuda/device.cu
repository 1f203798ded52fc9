#include <cuda_runtime.h>

#include <string>

#include "device.h"

namespace audify::cuda {
namespace {

// Below this much free memory a batch of features cannot even be staged.
constexpr std::size_t kMinFreeBytes = std::size_t{256} << 20;

std::string describe(cudaError_t err) {
  cudaGetLastError();  // clear the sticky error so later calls start clean
  if (err == cudaErrorInsufficientDriver || err == cudaErrorNoDevice)
    return std::string(cudaGetErrorString(err));
  return std::string(cudaGetErrorName(err)) + ": " + cudaGetErrorString(err);
}

}  // namespace

DeviceStatus query_devices() {
  DeviceStatus status;
  const cudaError_t err = cudaGetDeviceCount(&status.device_count);
  if (err != cudaSuccess) {
    status.device_count = 0;
    status.reason = err == cudaErrorInsufficientDriver || err == cudaErrorNoDevice
                        ? describe(err)
                        : "no usable CUDA driver (" + describe(err) + ")";
    return status;
  }
  if (status.device_count == 0) {
    status.reason = "no CUDA device found";
    return status;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) status.name = prop.name;
  // Creating the context is where a full or exclusive-process device says no.
  std::size_t free_bytes = 0, total_bytes = 0;
  const cudaError_t mem = cudaMemGetInfo(&free_bytes, &total_bytes);
  if (mem != cudaSuccess) {
    status.device_count = 0;
    status.reason = (mem == cudaErrorMemoryAllocation ? "out of memory creating a context on "
                                                      : "cannot create a context on ") +
                    status.name + " (" + describe(mem) + ")";
    return status;
  }
  if (free_bytes < kMinFreeBytes) {
    status.device_count = 0;
    status.reason = "out of memory on " + status.name + ": " + std::to_string(free_bytes >> 20) +
                    " MiB free of " + std::to_string(total_bytes >> 20) + " MiB";
  }
  return status;
}

}  // namespace audify::cuda
