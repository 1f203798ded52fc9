// Inverted dropout on a whole batch (nn/dropout.h's masks: element e of the batch, row-major,
// kept when Philox(seed, step, layer, e) passes), identity outside training. `layer` keeps the
// masks of two dropout layers of one network apart.
#pragma once

#include <cstdint>
#include <string>

#include "nn/cnn/layer.h"

namespace audify::nn::cnn {

class Dropout final : public Layer {
 public:
  // Throws audify::Error unless 0 <= rate < 1.
  Dropout(double rate, uint32_t layer, const std::string& name);
  std::string_view kind() const override { return "dropout"; }
  Shape output_shape(const Shape& in) const override { return in; }
  void forward(const Tensor& x, Tensor& y, const Pass& pass) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  double rate() const { return rate_; }
  uint32_t layer() const { return layer_; }  // the Philox counter word of its masks

 private:
  double rate_;
  uint32_t layer_;
  std::vector<float> scale_;  // the last training forward's mask, 0 or 1 / (1 - rate); empty = off
};

}  // namespace audify::nn::cnn
