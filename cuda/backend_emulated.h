// The GPU pipeline in host emulation behind features/backend.h, for running `audify` end to end
// through the CUDA backend's orchestration and kernels on a machine without a GPU (CI, tests):
// set AUDIFY_CUDA_EMULATE=1 and device=cuda (or auto) uses it. Slow; never a speed figure.
#pragma once

namespace audify::cuda {

// Registers the emulated backend as the CUDA backend. Idempotent.
void register_emulated_backend();

// Calls register_emulated_backend() when the environment has AUDIFY_CUDA_EMULATE=1; true if so.
bool register_emulated_backend_if_requested();

}  // namespace audify::cuda
