// Plugs the GPU trainer (cuda/mlp_gpu.h on the real device) into nn/train_backend.h, so the runner
// trains model.kind = mlp on the GPU when `device` resolves to cuda.
#pragma once

namespace audify::cuda {

// Idempotent; called by register_cuda_backend() (in audify_cuda).
void register_cuda_trainer();

// The same trainer over the host emulation (in audify_cuda_emu); called by
// register_emulated_backend().
void register_emulated_trainer();

}  // namespace audify::cuda
