#include <cuda_runtime.h>

#include <string>
#include <utility>

#include "device.h"

namespace audify::cuda {
namespace {

// Below this much free memory a batch of features cannot even be staged.
constexpr std::size_t kMinFreeBytes = std::size_t{256} << 20;

// Compiled for the same targets as the kernels, so whether it loads says whether they do.
__global__ void probe_kernel() {}

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
  const bool known = cudaGetDeviceProperties(&prop, 0) == cudaSuccess;
  if (known) {
    status.name = prop.name;
    status.cc = {prop.major, prop.minor};
  }
  // A GPU older (or newer) than every target of the build would fail at its first launch.
  if (std::string why = known ? check_built_for(status.cc, status.name) : ""; !why.empty()) {
    status.device_count = 0;
    status.reason = std::move(why);
    return status;
  }
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
  // The driver's own word on the build's code, for architecture lists CMake expands itself
  // ("native", "all") that check_built_for cannot read.
  cudaFuncAttributes attributes{};
  if (const cudaError_t image = cudaFuncGetAttributes(&attributes, probe_kernel);
      image != cudaSuccess) {
    status.device_count = 0;
    status.reason = "this build's GPU code cannot run on " + status.name + " (compute capability " +
                    std::to_string(status.cc.major) + "." + std::to_string(status.cc.minor) +
                    "): " + describe(image);
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
