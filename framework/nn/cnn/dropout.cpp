#include "nn/cnn/dropout.h"

#include <string>

#include "core/error.h"
#include "nn/dropout.h"

namespace audify::nn::cnn {

Dropout::Dropout(double rate, uint32_t layer, const std::string& name)
    : rate_(rate), layer_(layer) {
  if (!(rate >= 0.0 && rate < 1.0)) fail("{}: dropout rate must lie in [0, 1), got {}", name, rate);
}

void Dropout::forward(const Tensor& x, Tensor& y, const Pass& pass) {
  y.reshape(x.shape);
  if (!pass.training || rate_ == 0.0) {
    scale_.clear();
    y.data = x.data;
    return;
  }
  scale_.resize(x.data.size());
  fill_dropout_scale(pass.seed, pass.step, layer_, rate_, static_cast<int>(x.data.size()),
                     scale_.data());
  for (std::size_t i = 0; i < x.data.size(); ++i) y.data[i] = x.data[i] * scale_[i];
}

void Dropout::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->reshape(x.shape);
  if (scale_.empty()) {
    dx->data = dy.data;
    return;
  }
  for (std::size_t i = 0; i < dy.data.size(); ++i) dx->data[i] = dy.data[i] * scale_[i];
}

}  // namespace audify::nn::cnn
