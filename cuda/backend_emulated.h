// The GPU pipeline in host emulation behind features/backend.h, for running `audify` end to end
// through the CUDA backend's orchestration and kernels on a machine without a GPU (CI, tests):
// set AUDIFY_CUDA_EMULATE=1 and device=cuda (or auto) uses it. Slow; never a speed figure.
#pragma once

#include <string>

namespace audify::cuda {

// Registers the emulated backend as the CUDA backend. Idempotent.
void register_emulated_backend();

// Why the emulated GPU is unusable: empty unless AUDIFY_CUDA_EMULATE_CC (e.g. "7.0") gives it a
// compute capability this build has no code for, which tests the real backend's check. Throws
// audify::Error for a malformed value.
std::string emulated_device_unsupported_reason();

// Calls register_emulated_backend() when the environment has AUDIFY_CUDA_EMULATE=1; true if so.
bool register_emulated_backend_if_requested();

}  // namespace audify::cuda
