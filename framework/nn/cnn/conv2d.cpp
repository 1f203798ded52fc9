#include "nn/cnn/conv2d.h"

#include <cblas.h>

#include <algorithm>

#include "core/error.h"
#include "nn/cnn/im2col.h"

namespace audify::nn::cnn {

Conv2d::Conv2d(const Conv2dConfig& c, const std::string& name, const InitSeed& init)
    : config_(c),
      name_(name),
      weight_(name + ".weight"),
      bias_(name + ".bias", c.filters > 0 ? static_cast<std::size_t>(c.filters) : 0) {
  if (c.channels <= 0 || c.filters <= 0 || c.kernel_h <= 0 || c.kernel_w <= 0 || c.stride_h <= 0 ||
      c.stride_w <= 0)
    fail("{}: channels, filters, kernel and stride must be positive (got {} {} {}x{} /{}x{})", name,
         c.channels, c.filters, c.kernel_h, c.kernel_w, c.stride_h, c.stride_w);
  const int taps = c.kernel_h * c.kernel_w;
  weight_.value.assign(static_cast<std::size_t>(c.filters) * c.channels * taps, 0.0f);
  weight_.grad.assign(weight_.value.size(), 0.0f);
  glorot_uniform(weight_, c.channels * taps, c.filters * taps, init);
}

PatchGeometry Conv2d::geometry(const Shape& in) const {
  return {in.c, in.h, in.w, config_.kernel_h, config_.kernel_w, config_.stride_h, config_.stride_w};
}

Shape Conv2d::output_shape(const Shape& in) const {
  if (in.c != config_.channels)
    fail("{}: expects {} input channels, got {}", name_, config_.channels, in.c);
  if (in.h < config_.kernel_h || in.w < config_.kernel_w)
    fail("{}: input {}x{} is smaller than the {}x{} kernel", name_, in.h, in.w, config_.kernel_h,
         config_.kernel_w);
  const PatchGeometry g = geometry(in);
  return {in.n, config_.filters, g.out_h(), g.out_w()};
}

double Conv2d::forward_macs(const Shape& in) const {
  const PatchGeometry g = geometry(in);
  return static_cast<double>(config_.filters) * g.patch_size() * g.out_pixels();
}

void Conv2d::forward(const Tensor& x, Tensor& y, const Pass&) {
  y.reshape(output_shape(x.shape));
  const PatchGeometry g = geometry(x.shape);
  const int k = g.patch_size(), p = g.out_pixels(), f = config_.filters;
  cols_.resize(static_cast<std::size_t>(k) * p);
  for (int s = 0; s < x.shape.n; ++s) {
    im2col(g, x.sample(s), cols_.data());
    float* out = y.sample(s);
    for (int o = 0; o < f; ++o) std::fill(out + o * p, out + (o + 1) * p, bias_.value[o]);
    // y_s (F, P) += W (F, K) * cols (K, P)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, f, p, k, 1.0f, weight_.value.data(), k,
                cols_.data(), p, 1.0f, out, p);
  }
}

void Conv2d::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const PatchGeometry g = geometry(x.shape);
  const int k = g.patch_size(), p = g.out_pixels(), f = config_.filters;
  std::fill(weight_.grad.begin(), weight_.grad.end(), 0.0f);
  std::fill(bias_.grad.begin(), bias_.grad.end(), 0.0f);
  cols_.resize(static_cast<std::size_t>(k) * p);
  ones_.assign(static_cast<std::size_t>(p), 1.0f);
  if (dx) {
    dx->reshape(x.shape);
    dcols_.resize(cols_.size());
  }
  for (int s = 0; s < x.shape.n; ++s) {
    const float* grad_out = dy.sample(s);
    // db (F) += dy_s (F, P) * ones (P): sgemv vectorises the row sums.
    cblas_sgemv(CblasRowMajor, CblasNoTrans, f, p, 1.0f, grad_out, p, ones_.data(), 1, 1.0f,
                bias_.grad.data(), 1);
    // The patch matrix is rebuilt rather than kept from forward: a batch of them is ~120 MB for
    // SB-CNN's second layer, and rebuilding costs a few percent of the GEMMs.
    im2col(g, x.sample(s), cols_.data());
    // dW (F, K) += dy_s (F, P) * cols^T (P, K)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, f, k, p, 1.0f, grad_out, p, cols_.data(),
                p, 1.0f, weight_.grad.data(), k);
    if (!dx) continue;
    // dcols (K, P) = W^T (K, F) * dy_s (F, P), then scattered back onto the input's pixels.
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, p, f, 1.0f, weight_.value.data(), k,
                grad_out, p, 0.0f, dcols_.data(), p);
    col2im(g, dcols_.data(), dx->sample(s));
  }
}

}  // namespace audify::nn::cnn
