// Max pooling with a (pool_h, pool_w) window and an equal stride, no padding: Keras
// MaxPooling2D(pool_size) with padding='valid' (rows and columns past the last whole window are
// dropped, i.e. floor). Ties go to the first maximum in row-major order, as PyTorch and TensorFlow.
#pragma once

#include <cstdint>
#include <string>

#include "nn/cnn/layer.h"

namespace audify::nn::cnn {

class MaxPool2d final : public Layer {
 public:
  MaxPool2d(int pool_h, int pool_w, const std::string& name);
  std::string_view kind() const override { return "max_pool2d"; }
  Shape output_shape(const Shape& in) const override;
  void forward(const Tensor& x, Tensor& y, const Pass& pass) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  int pool_h() const { return pool_h_; }
  int pool_w() const { return pool_w_; }
  void set_threads(int threads) override { threads_ = threads; }  // over the channel planes

 private:
  int pool_h_, pool_w_;
  int threads_ = 1;
  std::string name_;
  std::vector<int32_t> argmax_;  // per output element: the winning input's index in its plane
};

}  // namespace audify::nn::cnn
