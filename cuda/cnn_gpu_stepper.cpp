// fit_cnn's step on the GPU (nn::cnn::CnnStepper): the host assembles each batch as for the CPU
// (random windows, augmentation, mixup's soft targets), the device keeps the weights and takes the
// step.
#include "cnn_gpu.h"

namespace audify::gpu {
namespace {

class GpuCnnStepper final : public nn::cnn::CnnStepper {
 public:
  GpuCnnStepper(GpuApi& api, nn::cnn::Sequential& net, const nn::AdamHyper& adam, uint64_t seed,
                nn::cnn::SgdMomentum sgd, int max_batch)
      : gpu_(api, net, max_batch, adam, seed, sgd), images_(api) {}

  nn::XentResult step(const nn::cnn::Tensor& x, std::span<const int> labels) override {
    images_.upload(x.data.data(), x.data.size());
    return gpu_.step(images_.get(), x.shape.n, labels);
  }

  nn::XentResult step_soft(const nn::cnn::Tensor& x, std::span<const float> targets) override {
    images_.upload(x.data.data(), x.data.size());
    return gpu_.step_soft(images_.get(), x.shape.n, targets);
  }

  int64_t steps() const override { return gpu_.steps(); }
  void sync() override { gpu_.download(); }

 private:
  CnnGpu gpu_;
  DeviceArray<float> images_;
};

}  // namespace

std::unique_ptr<nn::cnn::CnnStepper> make_cnn_gpu_stepper(GpuApi& api, nn::cnn::Sequential& net,
                                                          const nn::AdamHyper& adam, uint64_t seed,
                                                          nn::cnn::SgdMomentum sgd, int max_batch) {
  return std::make_unique<GpuCnnStepper>(api, net, adam, seed, sgd, max_batch);
}

}  // namespace audify::gpu
