// The GPU trainer in host emulation behind nn/train_backend.h (AUDIFY_CUDA_EMULATE=1; see
// backend_emulated.h): the runner's device=cuda path end to end on a machine without a GPU.
#include <string>

#include "gpu_api.h"
#include "mlp_gpu.h"
#include "nn/train_backend.h"
#include "train_backend_cuda.h"

namespace audify::cuda {
namespace {

bool always_usable(std::string&) {
  return true;
}

std::unique_ptr<nn::DeviceTrainer> make_emulated_trainer() {
  return gpu::make_gpu_trainer(gpu::make_emulated_api());
}

}  // namespace

void register_emulated_trainer() {
  nn::set_device_trainer_backend({&always_usable, &make_emulated_trainer});
}

}  // namespace audify::cuda
