// How a kernel reaches GpuApi without GpuApi naming it: GpuApi::launch(kernel, shape) passes the
// functor's bytes with its KernelEntry to the one virtual launch_erased(). The host emulation runs
// the entry's run_on_host (the body over the grid, instantiated where the kernel is launched); the
// CUDA face looks the kernel's type up among the __global__ instantiations that AUDIFY_KERNEL(K)
// registers when nvcc compiles the header (gpu_api_cuda.cu includes every kernels/*.cuh, a list
// CMake globs). So a new kernel is one header: its struct followed by AUDIFY_KERNEL(Name).
#pragma once

#include <cstddef>
#include <type_traits>
#include <typeinfo>

#include "core/error.h"
#include "kernels/grid.cuh"

namespace audify::gpu {

struct KernelEntry {
  const std::type_info* type;  // the functor's type: the CUDA face's key to its __global__
  std::size_t size;            // sizeof the functor (trivially copyable: copied as bytes)
  void (*run_on_host)(const void* kernel, const LaunchShape& shape);
};

// Every block and thread, one phase at a time (a barrier is a phase boundary, kernels/grid.cuh),
// as a barrier-respecting schedule would run them.
template <typename Kernel>
void run_kernel_on_host(const void* erased, const LaunchShape& shape) {
  const Kernel& kernel = *static_cast<const Kernel*>(erased);
  AUDIFY_ASSERT(shape.block.x * shape.block.y * shape.block.z <= 1024);  // CUDA's limit
  GridIndex g;
  g.grid_dim = shape.grid;
  g.block_dim = shape.block;
  for (g.block.z = 0; g.block.z < shape.grid.z; ++g.block.z)
    for (g.block.y = 0; g.block.y < shape.grid.y; ++g.block.y)
      for (g.block.x = 0; g.block.x < shape.grid.x; ++g.block.x) {
        typename Kernel::Shared shared{};
        for (int phase = 0; phase < Kernel::kPhases; ++phase)
          for (g.thread.z = 0; g.thread.z < shape.block.z; ++g.thread.z)
            for (g.thread.y = 0; g.thread.y < shape.block.y; ++g.thread.y)
              for (g.thread.x = 0; g.thread.x < shape.block.x; ++g.thread.x)
                kernel(phase, g, shared);
      }
}

template <typename Kernel>
const KernelEntry& kernel_entry() {
  static_assert(std::is_trivially_copyable_v<Kernel>, "a kernel is copied to the device as bytes");
  static const KernelEntry entry{&typeid(Kernel), sizeof(Kernel), &run_kernel_on_host<Kernel>};
  return entry;
}

#ifdef __CUDACC__
// The device side: one __global__ per kernel type, filling GridIndex and putting __syncthreads()
// between the body's phases.
template <typename Kernel>
__global__ void kernel_main(Kernel kernel) {
  __shared__ typename Kernel::Shared shared;
  GridIndex g;
  g.block = {blockIdx.x, blockIdx.y, blockIdx.z};
  g.thread = {threadIdx.x, threadIdx.y, threadIdx.z};
  g.block_dim = {blockDim.x, blockDim.y, blockDim.z};
  g.grid_dim = {gridDim.x, gridDim.y, gridDim.z};
  for (int phase = 0; phase < Kernel::kPhases; ++phase) {
    if (phase > 0) __syncthreads();
    kernel(phase, g, shared);
  }
}

// Launches an erased functor on a stream (cudaStream_t as void*); the caller checks the error.
using DeviceLaunch = void (*)(const void* kernel, const LaunchShape& shape, void* stream);

template <typename Kernel>
void launch_on_device(const void* erased, const LaunchShape& s, void* stream) {
  kernel_main<Kernel>
      <<<dim3(s.grid.x, s.grid.y, s.grid.z), dim3(s.block.x, s.block.y, s.block.z), 0,
         static_cast<cudaStream_t>(stream)>>>(*static_cast<const Kernel*>(erased));
}

// gpu_api_cuda.cu's table from a kernel's type to its launcher; returns true.
bool register_device_kernel(const std::type_info& type, DeviceLaunch launch);

#define AUDIFY_KERNEL(Kernel)                                            \
  [[maybe_unused]] static const bool audify_kernel_registered_##Kernel = \
      ::audify::gpu::register_device_kernel(typeid(Kernel),              \
                                            &::audify::gpu::launch_on_device<Kernel>)
#else
#define AUDIFY_KERNEL(Kernel) \
  static_assert(std::is_trivially_copyable_v<Kernel>, #Kernel " is copied to the device as bytes")
#endif

}  // namespace audify::gpu
