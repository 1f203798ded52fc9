// Batch normalisation over the batch and every pixel of each channel (Keras BatchNormalization on
// NCHW with axis=1; for a flattened (N, F, 1, 1) input, per feature). Training normalises with the
// batch's biased variance and moves the running statistics: running = momentum * running +
// (1 - momentum) * batch, Keras's rule (its default momentum 0.99, epsilon 1e-3); inference uses
// the running ones. Keras, like PyTorch, keeps the unbiased batch variance in the running average.
#pragma once

#include <string>

#include "nn/cnn/layer.h"

namespace audify::nn::cnn {

class BatchNorm final : public Layer {
 public:
  BatchNorm(int channels, const std::string& name, double momentum = 0.99, double epsilon = 1e-3);
  std::string_view kind() const override { return "batch_norm"; }
  Shape output_shape(const Shape& in) const override;
  void forward(const Tensor& x, Tensor& y, const Pass& pass) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override { return {&gamma_, &beta_}; }
  std::vector<std::pair<std::string, std::vector<float>*>> buffers() override {
    return {{name_ + ".running_mean", &running_mean_}, {name_ + ".running_var", &running_var_}};
  }
  // Not trained by the optimizer, but part of the model (saved with it).
  std::vector<float>& running_mean() { return running_mean_; }
  std::vector<float>& running_var() { return running_var_; }
  double momentum() const { return momentum_; }
  double epsilon() const { return epsilon_; }

 private:
  int channels_;
  std::string name_;
  double momentum_, epsilon_;
  Param gamma_, beta_;
  std::vector<float> running_mean_, running_var_;
  std::vector<float> mean_, inv_std_;  // of the last forward, per channel
  bool batch_statistics_ = false;      // whether the last forward normalised with them
};

}  // namespace audify::nn::cnn
