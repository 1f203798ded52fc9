// Plugs the CUDA feature extractor into features/backend.h's make_extractor. Explicit (not a static
// initialiser) because a static library's unreferenced objects are never linked in.
#pragma once

namespace audify::cuda {

// Idempotent; call once at start-up in programs built with AUDIFY_WITH_CUDA.
void register_cuda_backend();

}  // namespace audify::cuda
