// max(x, 0), elementwise; its gradient is read from the output (y > 0), nn/activation.h's rule.
#pragma once

#include "nn/cnn/layer.h"

namespace audify::nn::cnn {

class Relu final : public Layer {
 public:
  std::string_view kind() const override { return "relu"; }
  Shape output_shape(const Shape& in) const override { return in; }
  void forward(const Tensor& x, Tensor& y, const Pass& pass) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
};

}  // namespace audify::nn::cnn
