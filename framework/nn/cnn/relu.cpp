#include "nn/cnn/relu.h"

#include "nn/activation.h"

namespace audify::nn::cnn {

void Relu::forward(const Tensor& x, Tensor& y, const Pass&) {
  y.reshape(x.shape);
  for (std::size_t i = 0; i < x.data.size(); ++i)
    y.data[i] = activate(Activation::kRelu, x.data[i]);
}

void Relu::backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->reshape(x.shape);
  for (std::size_t i = 0; i < y.data.size(); ++i)
    dx->data[i] = dy.data[i] * activation_grad(Activation::kRelu, y.data[i]);
}

}  // namespace audify::nn::cnn
