// (N, C, H, W) -> (N, C*H*W, 1, 1) in NCHW order (PyTorch's x.flatten(1); Keras flattens NHWC, an
// order that only matters when importing its weights). The data are copied unchanged.
#pragma once

#include "nn/cnn/layer.h"

namespace audify::nn::cnn {

class Flatten final : public Layer {
 public:
  std::string_view kind() const override { return "flatten"; }
  Shape output_shape(const Shape& in) const override {
    return {in.n, static_cast<int>(in.sample_size()), 1, 1};
  }
  void forward(const Tensor& x, Tensor& y, const Pass&) override {
    y.reshape(output_shape(x.shape));
    y.data = x.data;
  }
  void backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) override {
    if (!dx) return;
    dx->reshape(x.shape);
    dx->data = dy.data;
  }
};

}  // namespace audify::nn::cnn
