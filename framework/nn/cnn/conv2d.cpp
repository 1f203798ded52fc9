#include "nn/cnn/conv2d.h"

#include "core/error.h"

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

ConvBatch Conv2d::batch(const Shape& in) const {
  return {geometry(in), in.n, config_.filters};
}

void Conv2d::forward(const Tensor& x, Tensor& y, const Pass&) {
  y.reshape(output_shape(x.shape));
  conv_forward(batch(x.shape), x.data.data(), weight_.value.data(), bias_.value.data(),
               y.data.data(), threads_, scratch_);
}

void Conv2d::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  const ConvBatch b = batch(x.shape);
  conv_backward_filter(b, x.data.data(), dy.data.data(), weight_.grad.data(), bias_.grad.data(),
                       threads_, scratch_);
  if (!dx) return;
  dx->reshape(x.shape);
  conv_backward_data(b, weight_.value.data(), dy.data.data(), dx->data.data(), threads_, scratch_);
}

}  // namespace audify::nn::cnn
