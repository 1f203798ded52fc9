// A fully connected layer over each sample's C*H*W values: y = x W^T + b, weight (units, inputs)
// in PyTorch's layout, Glorot-uniform init and zero bias as Keras Dense. An optional L2 penalty
// (Keras kernel_regularizer=l2(l2): loss += l2 * sum(W^2)) adds 2 * l2 * W to the weight gradient.
#pragma once

#include <string>

#include "nn/cnn/init.h"
#include "nn/cnn/layer.h"

namespace audify::nn::cnn {

class Dense final : public Layer {
 public:
  Dense(int inputs, int units, double l2, const std::string& name, const InitSeed& init);
  std::string_view kind() const override { return "dense"; }
  Shape output_shape(const Shape& in) const override;
  void forward(const Tensor& x, Tensor& y, const Pass& pass) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override { return {&weight_, &bias_}; }
  double forward_macs(const Shape&) const override { return static_cast<double>(inputs_) * units_; }
  // l2 * sum(W^2): the regulariser's share of the loss.
  double penalty() const;
  int inputs() const { return inputs_; }
  int units() const { return units_; }
  double l2() const { return l2_; }

 private:
  int inputs_, units_;
  double l2_;
  std::string name_;
  Param weight_, bias_;
};

}  // namespace audify::nn::cnn
