// The GPU trainer in host emulation behind nn/train_backend.h (AUDIFY_CUDA_EMULATE=1; see
// backend_emulated.h): the runner's device=cuda path end to end on a machine without a GPU.
#include <string>

#include "backend_emulated.h"
#include "gpu_api.h"
#include "mlp_gpu.h"
#include "nn/train_backend.h"
#include "train_backend_cuda.h"

namespace audify::cuda {
namespace {

bool emulated_usable(std::string& why_unavailable) {
  why_unavailable = emulated_device_unsupported_reason();
  return why_unavailable.empty();
}

std::unique_ptr<nn::DeviceTrainer> make_emulated_trainer() {
  return gpu::make_gpu_trainer(gpu::make_emulated_api());
}

}  // namespace

void register_emulated_trainer() {
  nn::set_device_trainer_backend({&emulated_usable, &make_emulated_trainer});
}

}  // namespace audify::cuda
