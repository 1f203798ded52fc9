// Sums over a channel run in double: a batch of SB-CNN's first layer holds ~500 000 values per
// channel, where float accumulation would lose the variance's low digits.
#include "nn/cnn/batch_norm.h"

#include <cmath>

#include "core/error.h"

namespace audify::nn::cnn {

BatchNorm::BatchNorm(int channels, const std::string& name, double momentum, double epsilon)
    : channels_(channels),
      name_(name),
      momentum_(momentum),
      epsilon_(epsilon),
      gamma_(name + ".weight", channels > 0 ? static_cast<std::size_t>(channels) : 0),
      beta_(name + ".bias", channels > 0 ? static_cast<std::size_t>(channels) : 0) {
  if (channels <= 0) fail("{}: channels must be positive, got {}", name, channels);
  if (!(momentum >= 0 && momentum < 1)) fail("{}: momentum must lie in [0, 1)", name);
  if (!(epsilon > 0)) fail("{}: epsilon must be positive", name);
  std::fill(gamma_.value.begin(), gamma_.value.end(), 1.0f);
  running_mean_.assign(static_cast<std::size_t>(channels), 0.0f);
  running_var_.assign(static_cast<std::size_t>(channels), 1.0f);
  mean_.resize(running_mean_.size());
  inv_std_.resize(running_mean_.size());
}

Shape BatchNorm::output_shape(const Shape& in) const {
  if (in.c != channels_) fail("{}: expects {} channels, got {}", name_, channels_, in.c);
  return in;
}

void BatchNorm::forward(const Tensor& x, Tensor& y, const Pass& pass) {
  y.reshape(output_shape(x.shape));
  const Shape s = x.shape;
  const std::size_t plane = static_cast<std::size_t>(s.h) * s.w;
  const double count = static_cast<double>(s.n) * static_cast<double>(plane);
  batch_statistics_ = pass.training;
  for (int c = 0; c < channels_; ++c) {
    if (pass.training) {
      double sum = 0, sum_sq = 0;
      for (int n = 0; n < s.n; ++n) {
        const float* p = x.sample(n) + c * plane;
        for (std::size_t i = 0; i < plane; ++i) sum += p[i];
      }
      const double mean = sum / count;
      for (int n = 0; n < s.n; ++n) {
        const float* p = x.sample(n) + c * plane;
        for (std::size_t i = 0; i < plane; ++i) sum_sq += (p[i] - mean) * (p[i] - mean);
      }
      const double var = sum_sq / count;
      mean_[c] = static_cast<float>(mean);
      inv_std_[c] = static_cast<float>(1.0 / std::sqrt(var + epsilon_));
      const double unbiased = count > 1 ? var * count / (count - 1) : var;
      running_mean_[c] = static_cast<float>(momentum_ * running_mean_[c] + (1 - momentum_) * mean);
      running_var_[c] =
          static_cast<float>(momentum_ * running_var_[c] + (1 - momentum_) * unbiased);
    } else {
      mean_[c] = running_mean_[c];
      inv_std_[c] = static_cast<float>(1.0 / std::sqrt(running_var_[c] + epsilon_));
    }
    const float scale = gamma_.value[c] * inv_std_[c];
    const float shift = beta_.value[c] - mean_[c] * scale;
    for (int n = 0; n < s.n; ++n) {
      const float* in = x.sample(n) + c * plane;
      float* out = y.sample(n) + c * plane;
      for (std::size_t i = 0; i < plane; ++i) out[i] = in[i] * scale + shift;
    }
  }
}

void BatchNorm::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const Shape s = x.shape;
  const std::size_t plane = static_cast<std::size_t>(s.h) * s.w;
  const double count = static_cast<double>(s.n) * static_cast<double>(plane);
  if (dx) dx->reshape(s);
  for (int c = 0; c < channels_; ++c) {
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int n = 0; n < s.n; ++n) {
      const float* in = x.sample(n) + c * plane;
      const float* g = dy.sample(n) + c * plane;
      for (std::size_t i = 0; i < plane; ++i) {
        sum_dy += g[i];
        sum_dy_xhat += g[i] * ((in[i] - mean_[c]) * inv_std_[c]);
      }
    }
    gamma_.grad[c] = static_cast<float>(sum_dy_xhat);
    beta_.grad[c] = static_cast<float>(sum_dy);
    if (!dx) continue;
    const float scale = gamma_.value[c] * inv_std_[c];
    // With batch statistics the mean and variance depend on x too:
    // dx = scale * (dy - mean(dy) - xhat * mean(dy * xhat)); with running ones dx = scale * dy.
    const float mean_dy = batch_statistics_ ? static_cast<float>(sum_dy / count) : 0.0f;
    const float mean_dy_xhat = batch_statistics_ ? static_cast<float>(sum_dy_xhat / count) : 0.0f;
    for (int n = 0; n < s.n; ++n) {
      const float* in = x.sample(n) + c * plane;
      const float* g = dy.sample(n) + c * plane;
      float* out = dx->sample(n) + c * plane;
      for (std::size_t i = 0; i < plane; ++i) {
        const float xhat = (in[i] - mean_[c]) * inv_std_[c];
        out[i] = scale * (g[i] - mean_dy - xhat * mean_dy_xhat);
      }
    }
  }
}

}  // namespace audify::nn::cnn
