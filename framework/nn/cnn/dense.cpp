#include "nn/cnn/dense.h"

#include <cblas.h>

#include "core/error.h"

namespace audify::nn::cnn {

Dense::Dense(int inputs, int units, double l2, const std::string& name, const InitSeed& init)
    : inputs_(inputs),
      units_(units),
      l2_(l2),
      name_(name),
      weight_(name + ".weight"),
      bias_(name + ".bias") {
  if (inputs <= 0 || units <= 0)
    fail("{}: inputs and units must be positive, got {} and {}", name, inputs, units);
  if (!(l2 >= 0.0)) fail("{}: l2 must be >= 0, got {}", name, l2);
  weight_.value.assign(static_cast<std::size_t>(units) * inputs, 0.0f);
  weight_.grad.assign(weight_.value.size(), 0.0f);
  bias_.value.assign(static_cast<std::size_t>(units), 0.0f);
  bias_.grad.assign(bias_.value.size(), 0.0f);
  glorot_uniform(weight_, inputs, units, init);
}

Shape Dense::output_shape(const Shape& in) const {
  if (static_cast<int>(in.sample_size()) != inputs_)
    fail("{}: expects {} inputs per sample, got {} ({}x{}x{})", name_, inputs_, in.sample_size(),
         in.c, in.h, in.w);
  return {in.n, units_, 1, 1};
}

void Dense::forward(const Tensor& x, Tensor& y, const Pass&) {
  y.reshape(output_shape(x.shape));
  const int n = x.shape.n;
  for (int s = 0; s < n; ++s) std::copy(bias_.value.begin(), bias_.value.end(), y.sample(s));
  // y (N, U) += x (N, I) * W^T
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, units_, inputs_, 1.0f, x.data.data(),
              inputs_, weight_.value.data(), inputs_, 1.0f, y.data.data(), units_);
}

void Dense::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const int n = x.shape.n;
  // dW (U, I) = dy^T (U, N) * x (N, I) + 2 l2 W
  std::copy(weight_.value.begin(), weight_.value.end(), weight_.grad.begin());
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, units_, inputs_, n, 1.0f, dy.data.data(),
              units_, x.data.data(), inputs_, static_cast<float>(2.0 * l2_), weight_.grad.data(),
              inputs_);
  std::fill(bias_.grad.begin(), bias_.grad.end(), 0.0f);
  for (int s = 0; s < n; ++s)
    for (int u = 0; u < units_; ++u) bias_.grad[u] += dy.sample(s)[u];
  if (!dx) return;
  dx->reshape(x.shape);
  // dx (N, I) = dy (N, U) * W (U, I)
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, inputs_, units_, 1.0f, dy.data.data(),
              units_, weight_.value.data(), inputs_, 0.0f, dx->data.data(), inputs_);
}

double Dense::penalty() const {
  double sum = 0;
  for (float w : weight_.value) sum += static_cast<double>(w) * w;
  return l2_ * sum;
}

}  // namespace audify::nn::cnn
