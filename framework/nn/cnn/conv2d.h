// A valid (unpadded), strided 2-D convolution with bias, as Keras Conv2D(padding='valid') and
// PyTorch Conv2d(padding=0): im2col per sample, then one OpenBLAS sgemm, the batch's samples on
// several threads (nn/cnn/conv_batch.h; docs/ARCHITECTURE.md, "Convolutions as im2col + sgemm",
// says why not oneDNN). Weight layout (filters, channels, kh, kw), PyTorch's.
#pragma once

#include <string>

#include "nn/cnn/conv_batch.h"
#include "nn/cnn/init.h"
#include "nn/cnn/layer.h"

namespace audify::nn::cnn {

struct Conv2dConfig {
  int channels = 1;  // input channels
  int filters = 1;
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1;
};

class Conv2d final : public Layer {
 public:
  // Glorot-uniform kernel (Keras's default; fan_in = channels*kh*kw, fan_out = filters*kh*kw),
  // zero bias. Throws audify::Error naming `name` for a non-positive size.
  Conv2d(const Conv2dConfig& config, const std::string& name, const InitSeed& init);

  std::string_view kind() const override { return "conv2d"; }
  Shape output_shape(const Shape& in) const override;
  void forward(const Tensor& x, Tensor& y, const Pass& pass) override;
  void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) override;
  std::vector<Param*> params() override { return {&weight_, &bias_}; }
  double forward_macs(const Shape& in) const override;
  void set_threads(int threads) override { threads_ = threads; }

  const Conv2dConfig& config() const { return config_; }
  Param& weight() { return weight_; }
  Param& bias() { return bias_; }

 private:
  PatchGeometry geometry(const Shape& in) const;
  ConvBatch batch(const Shape& in) const;

  Conv2dConfig config_;
  std::string name_;
  Param weight_, bias_;
  int threads_ = 1;
  ConvScratch scratch_;
};

}  // namespace audify::nn::cnn
