// DnnApi in host emulation: the CPU CNN's own code stands in for cuDNN, as FFTW stands in for
// cuFFT. Convolutions are nn/cnn's im2col / col2im with the sgemm calls of nn::cnn::Conv2d (same
// operands, same order, so the GPU trainer's emulated gradients are the CPU trainer's); pooling is
// nn::cnn::MaxPool2d itself. Device memory is host memory here; calls run when made (the CNN
// trainer does not record graphs).
#include <cblas.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "dnn_api.h"
#include "nn/cnn/im2col.h"
#include "nn/cnn/max_pool2d.h"

namespace audify::gpu {
namespace {

nn::cnn::PatchGeometry patches(const ConvGeometry& g) {
  return {g.c, g.h, g.w, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w};
}

class EmulatedDnn final : public DnnApi {
 public:
  std::string_view name() const override { return "cudnn-emulated"; }

  void conv_forward(const ConvGeometry& g, const float* x, const float* weight, float* y) override {
    const nn::cnn::PatchGeometry pg = patches(g);
    const int k = pg.patch_size(), p = pg.out_pixels(), f = g.filters;
    cols_.resize(static_cast<std::size_t>(k) * p);
    for (int s = 0; s < g.n; ++s) {
      nn::cnn::im2col(pg, x + sample_offset(g, s), cols_.data());
      // y_s (F, P) = W (F, K) * cols (K, P)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, f, p, k, 1.0f, weight, k, cols_.data(),
                  p, 0.0f, y + static_cast<std::size_t>(s) * f * p, p);
    }
  }

  void conv_backward_data(const ConvGeometry& g, const float* weight, const float* dy,
                          float* dx) override {
    const nn::cnn::PatchGeometry pg = patches(g);
    const int k = pg.patch_size(), p = pg.out_pixels(), f = g.filters;
    cols_.resize(static_cast<std::size_t>(k) * p);
    for (int s = 0; s < g.n; ++s) {
      // dcols (K, P) = W^T (K, F) * dy_s (F, P), scattered back onto the input's pixels.
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, p, f, 1.0f, weight, k,
                  dy + static_cast<std::size_t>(s) * f * p, p, 0.0f, cols_.data(), p);
      nn::cnn::col2im(pg, cols_.data(), dx + sample_offset(g, s));
    }
  }

  void conv_backward_filter(const ConvGeometry& g, const float* x, const float* dy,
                            float* dweight) override {
    const nn::cnn::PatchGeometry pg = patches(g);
    const int k = pg.patch_size(), p = pg.out_pixels(), f = g.filters;
    cols_.resize(static_cast<std::size_t>(k) * p);
    std::fill(dweight, dweight + static_cast<std::size_t>(f) * k, 0.0f);
    for (int s = 0; s < g.n; ++s) {
      nn::cnn::im2col(pg, x + sample_offset(g, s), cols_.data());
      // dW (F, K) += dy_s (F, P) * cols^T (P, K)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, f, k, p, 1.0f,
                  dy + static_cast<std::size_t>(s) * f * p, p, cols_.data(), p, 1.0f, dweight, k);
    }
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
  static std::size_t sample_offset(const ConvGeometry& g, int s) {
    return static_cast<std::size_t>(s) * g.c * g.h * g.w;
  }
  static void load(nn::cnn::Tensor& t, const PoolGeometry& g, const float* x) {
    t.reshape({g.n, g.c, g.h, g.w});
    std::copy(x, x + t.data.size(), t.data.begin());
  }

  std::vector<float> cols_;  // one sample's patch matrix
  nn::cnn::Tensor x_, y_, dy_, dx_;
};

}  // namespace

std::unique_ptr<DnnApi> make_emulated_dnn() {
  return std::make_unique<EmulatedDnn>();
}

}  // namespace audify::gpu
