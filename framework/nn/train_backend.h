// Where nn::fit runs: on the CPU (nn/trainer.h), or on a device whose library registers a trainer
// here (cuda/train_backend_cuda.cpp, from register_cuda_backend()), so that framework/ never
// includes a CUDA header. The runner asks for the device trainer when `device` resolves to cuda.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/matrix.h"
#include "nn/cnn/cnn_fit.h"
#include "nn/mlp.h"
#include "nn/trainer.h"

namespace audify::nn {

// nn::fit's arguments for one model.
struct FitJob {
  Mlp* model = nullptr;
  const Matrix* x = nullptr;
  std::span<const int> labels;
  TrainConfig config;
  EpochCallback on_epoch;
};

class DeviceTrainer {
 public:
  virtual ~DeviceTrainer() = default;
  virtual std::string_view name() const = 0;  // "cuda", "cuda-emulated"
  // Several models of one shape at once (k-fold folds, sweep points): each gets the history and
  // weights nn::fit gives it alone (same schedule), within the device's float noise.
  virtual std::vector<TrainHistory> fit_many(std::span<FitJob> jobs) = 0;
  // fit_cnn's optimizer step on the device (nn/cnn/cnn_fit.h); throws audify::Error when the
  // device cannot train CNNs (the default).
  virtual std::unique_ptr<cnn::CnnStepper> make_cnn_stepper(cnn::Sequential& net,
                                                            const AdamHyper& adam, uint64_t seed,
                                                            cnn::SgdMomentum sgd, int max_batch);
  // nn::fit's contract, run on the device.
  TrainHistory fit(Mlp& model, const Matrix& x, std::span<const int> labels, const TrainConfig& cfg,
                   const EpochCallback& on_epoch) {
    FitJob job{&model, &x, labels, cfg, on_epoch};
    return fit_many(std::span<FitJob>(&job, 1)).front();
  }
};

struct DeviceTrainerBackend {
  // Whether a trainer can be made now; otherwise says why (no driver, no device, ...).
  bool (*usable)(std::string& why_unavailable) = nullptr;
  std::unique_ptr<DeviceTrainer> (*make)() = nullptr;  // called only when usable
};

// Replaces the registered backend ({} unregisters).
void set_device_trainer_backend(DeviceTrainerBackend backend);

// Whether a registered device trainer is usable; `why_unavailable` says why not, naming a build
// without one.
bool device_training_usable(std::string& why_unavailable);

// The registered device trainer; throws audify::Error saying why when none is usable.
std::unique_ptr<DeviceTrainer> make_device_trainer();

}  // namespace audify::nn
