// fit_cnn's step on the GPU (nn::cnn::CnnStepper): the host assembles each batch as for the CPU
// (random windows, augmentation), the device keeps the weights and takes the step. Soft targets
// are taken when each row is one-hot (augmentation without mixup); mixup's are refused.
#include <cstddef>
#include <vector>

#include "cnn_gpu.h"
#include "core/error.h"

namespace audify::gpu {
namespace {

class GpuCnnStepper final : public nn::cnn::CnnStepper {
 public:
  GpuCnnStepper(GpuApi& api, nn::cnn::Sequential& net, const nn::AdamHyper& adam, uint64_t seed,
                nn::cnn::SgdMomentum sgd, int max_batch)
      : gpu_(api, net, max_batch, adam, seed, sgd), images_(api), classes_(net.output_shape().c) {}

  nn::XentResult step(const nn::cnn::Tensor& x, std::span<const int> labels) override {
    images_.upload(x.data.data(), x.data.size());
    return gpu_.step(images_.get(), x.shape.n, labels);
  }

  nn::XentResult step_soft(const nn::cnn::Tensor& x, std::span<const float> targets) override {
    labels_.assign(static_cast<std::size_t>(x.shape.n), 0);
    for (std::size_t r = 0; r < labels_.size(); ++r) {
      int hot = -1;
      for (int c = 0; c < classes_; ++c) {
        const float t = targets[r * classes_ + c];
        if (t == 1.0f && hot < 0)
          hot = c;
        else if (t != 0.0f)
          fail(
              "device=cuda: the GPU CNN trainer takes one-hot targets only (augment.mixup makes "
              "soft ones; use device=cpu)");
      }
      if (hot < 0) fail("device=cuda: a training target row without a class");
      labels_[r] = hot;
    }
    return step(x, labels_);
  }

  int64_t steps() const override { return gpu_.steps(); }
  void sync() override { gpu_.download(); }

 private:
  CnnGpu gpu_;
  DeviceArray<float> images_;
  std::vector<int> labels_;
  int classes_;
};

}  // namespace

std::unique_ptr<nn::cnn::CnnStepper> make_cnn_gpu_stepper(GpuApi& api, nn::cnn::Sequential& net,
                                                          const nn::AdamHyper& adam, uint64_t seed,
                                                          nn::cnn::SgdMomentum sgd, int max_batch) {
  return std::make_unique<GpuCnnStepper>(api, net, adam, seed, sgd, max_batch);
}

}  // namespace audify::gpu
