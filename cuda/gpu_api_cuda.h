// The real device behind GpuApi (cuFFT, cuBLAS, a stream of its own); declared without a CUDA
// header so plain C++ callers (tests, the backend registration) can make one.
#pragma once

#include <memory>

#include "gpu_api.h"

namespace audify::gpu {

// Throws audify::Error (with cuda::query_devices()'s reason) when no device is usable.
std::unique_ptr<GpuApi> make_cuda_api();

}  // namespace audify::gpu
