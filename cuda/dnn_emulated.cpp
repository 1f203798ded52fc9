// DnnApi in host emulation: the CPU CNN's own code stands in for cuDNN, as FFTW stands in for
// cuFFT. Convolutions are nn::cnn::Conv2d's own batch arithmetic (nn/cnn/conv_batch.h: the same
// sums in the same order, so the GPU trainer's emulated gradients are the CPU trainer's); pooling
// is nn::cnn::MaxPool2d itself. Device memory is host memory here; calls run when made (the CNN
// trainer does not record graphs).
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "dnn_api.h"
#include "nn/cnn/conv_batch.h"
#include "nn/cnn/max_pool2d.h"

namespace audify::gpu {
namespace {

nn::cnn::ConvBatch batch(const ConvGeometry& g) {
  return {{g.c, g.h, g.w, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w}, g.n, g.filters};
}

class EmulatedDnn final : public DnnApi {
 public:
  std::string_view name() const override { return "cudnn-emulated"; }

  void conv_forward(const ConvGeometry& g, const float* x, const float* weight, float* y) override {
    nn::cnn::conv_forward(batch(g), x, weight, nullptr, y, 1, scratch_);
  }

  void conv_backward_data(const ConvGeometry& g, const float* weight, const float* dy,
                          float* dx) override {
    nn::cnn::conv_backward_data(batch(g), weight, dy, dx, 1, scratch_);
  }

  void conv_backward_filter(const ConvGeometry& g, const float* x, const float* dy,
                            float* dweight) override {
    nn::cnn::conv_backward_filter(batch(g), x, dy, dweight, nullptr, 1, scratch_);
  }

  void pool_forward(const PoolGeometry& g, const float* x, float* y) override {
    nn::cnn::MaxPool2d pool(g.pool_h, g.pool_w, "cudnn-emulated pooling");
    load(x_, g, x);
    pool.forward(x_, y_, {});
    std::copy(y_.data.begin(), y_.data.end(), y);
  }

  // MaxPool2d routes dy through the argmaxes of its own forward, so the forward is rerun on x.
  void pool_backward(const PoolGeometry& g, const float* x, const float*, const float* dy,
                     float* dx) override {
    nn::cnn::MaxPool2d pool(g.pool_h, g.pool_w, "cudnn-emulated pooling");
    load(x_, g, x);
    pool.forward(x_, y_, {});
    dy_.reshape(y_.shape);
    std::copy(dy, dy + dy_.data.size(), dy_.data.begin());
    pool.backward(x_, y_, dy_, &dx_);
    std::copy(dx_.data.begin(), dx_.data.end(), dx);
  }

 private:
  static void load(nn::cnn::Tensor& t, const PoolGeometry& g, const float* x) {
    t.reshape({g.n, g.c, g.h, g.w});
    std::copy(x, x + t.data.size(), t.data.begin());
  }

  nn::cnn::ConvScratch scratch_;
  nn::cnn::Tensor x_, y_, dy_, dx_;
};

}  // namespace

std::unique_ptr<DnnApi> make_emulated_dnn() {
  return std::make_unique<EmulatedDnn>();
}

}  // namespace audify::gpu
