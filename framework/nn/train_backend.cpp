// The registry of the device trainer: one backend per process, set at start-up.
#include "nn/train_backend.h"

#include <mutex>

#include "core/error.h"

namespace audify::nn {
namespace {

std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

DeviceTrainerBackend& registered() {
  static DeviceTrainerBackend backend;
  return backend;
}

DeviceTrainerBackend current() {
  std::lock_guard lock(registry_mutex());
  return registered();
}

}  // namespace

std::unique_ptr<cnn::CnnStepper> DeviceTrainer::make_cnn_stepper(cnn::Sequential&, const AdamHyper&,
                                                                 uint64_t, cnn::SgdMomentum, int) {
  fail("{}: this device trainer has no CNN trainer", name());
}

void set_device_trainer_backend(DeviceTrainerBackend backend) {
  std::lock_guard lock(registry_mutex());
  registered() = backend;
}

bool device_training_usable(std::string& why_unavailable) {
  const DeviceTrainerBackend backend = current();
  if (backend.usable == nullptr || backend.make == nullptr) {
    why_unavailable = "this build has no GPU trainer (built without the CUDA backend)";
    return false;
  }
  return backend.usable(why_unavailable);
}

std::unique_ptr<DeviceTrainer> make_device_trainer() {
  std::string why;
  if (!device_training_usable(why)) fail("cannot train on the GPU: {}", why);
  return current().make();
}

}  // namespace audify::nn
