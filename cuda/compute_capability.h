// Whether this build's device code can run on a GPU of a given compute capability, decided from
// the CMAKE_CUDA_ARCHITECTURES list the kernels were compiled for (no CUDA header, so the host
// emulation and its tests can ask too; C++17, for device.cu). Machine code for sm_XY runs on X.Y
// and later minors of major X; PTX for compute_XY is compiled by the driver for any X.Y or later;
// an arch-specific target (sm_90a) runs on its exact capability only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace audify::cuda {

struct ComputeCapability {
  int major = 0;
  int minor = 0;
};

// One entry of CMAKE_CUDA_ARCHITECTURES: "80" (machine code and PTX), "80-real" (machine code),
// "80-virtual" (PTX), optionally with an arch-specific "a" suffix ("90a-real").
struct CudaArch {
  int version = 0;  // 80 for sm_80
  bool machine_code = false;
  bool ptx = false;
  bool arch_specific = false;
};

// "75-real;80-real;90" (or comma or space separated) as CudaArch; empty for the lists CMake expands
// itself
// ("native", "all", "all-major") or anything unparsable, which the caller cannot check.
std::vector<CudaArch> parse_cuda_architectures(std::string_view list);

// The list this build compiled its kernels for (AUDIFY_CUDA_ARCHITECTURES), parsed.
std::vector<CudaArch> built_cuda_architectures();

// "sm_75, sm_80, sm_90 and PTX compute_90".
std::string describe(const std::vector<CudaArch>& archs);

// Empty when code in `archs` runs on `cc` (or `archs` is empty: unknown); otherwise why not,
// naming the device, its capability and what the build has.
std::string unsupported_reason(ComputeCapability cc, const std::vector<CudaArch>& archs,
                               std::string_view device_name);

// unsupported_reason against this build's list; logs the reason as a warning once per process,
// since device=auto then quietly runs on the CPU.
std::string check_built_for(ComputeCapability cc, std::string_view device_name);

// "8.6" -> {8, 6}; nullopt for anything else.
std::optional<ComputeCapability> parse_compute_capability(std::string_view text);

}  // namespace audify::cuda
