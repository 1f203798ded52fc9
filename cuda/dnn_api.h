// The thin DNN library layer the GPU CNN is written against, cuDNN's legacy API cut to what
// SB-CNN needs: valid (unpadded), strided 2-D cross-correlation forward, backward-data and
// backward-filter, and max pooling with a stride equal to its window (floor), on NCHW float32 in
// device memory, ordered on the GpuApi's stream. Two faces, as for cuFFT: dnn_cudnn.cu (cuDNN 9)
// and dnn_emulated.cpp, where the CPU CNN's own code (nn/cnn: im2col + sgemm, MaxPool2d) stands in
// for cuDNN, so emulated results are the CPU backend's. No CUDA header here.
#pragma once

#include <memory>
#include <string_view>

namespace audify::gpu {

class GpuApi;

// x (n, c, h, w) * weight (filters, c, kernel_h, kernel_w) -> y (n, filters, out_h, out_w).
struct ConvGeometry {
  int n = 1, c = 1, h = 1, w = 1;
  int filters = 1, kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  int out_h() const { return (h - kernel_h) / stride_h + 1; }
  int out_w() const { return (w - kernel_w) / stride_w + 1; }
};

// x (n, c, h, w) -> y (n, c, h / pool_h, w / pool_w); ties go to the first maximum.
struct PoolGeometry {
  int n = 1, c = 1, h = 1, w = 1;
  int pool_h = 1, pool_w = 1;
  int out_h() const { return h / pool_h; }
  int out_w() const { return w / pool_w; }
};

class DnnApi {
 public:
  virtual ~DnnApi() = default;
  virtual std::string_view name() const = 0;  // "cudnn" or "cudnn-emulated"

  // [out] y = x * weight (no bias).
  virtual void conv_forward(const ConvGeometry& g, const float* x, const float* weight,
                            float* y) = 0;
  // [out] dx = dL/dx from dy = dL/dy.
  virtual void conv_backward_data(const ConvGeometry& g, const float* weight, const float* dy,
                                  float* dx) = 0;
  // [out] dweight = dL/dweight summed over the batch (overwritten, not accumulated).
  virtual void conv_backward_filter(const ConvGeometry& g, const float* x, const float* dy,
                                    float* dweight) = 0;
  virtual void pool_forward(const PoolGeometry& g, const float* x, float* y) = 0;
  // [out] dx: dy routed to each window's maximum of x (y = pool_forward(x)), 0 elsewhere.
  virtual void pool_backward(const PoolGeometry& g, const float* x, const float* y, const float* dy,
                             float* dx) = 0;
};

// The faces; callers ask their GpuApi (GpuApi::make_dnn), which picks its own.
std::unique_ptr<DnnApi> make_emulated_dnn();
// cuDNN on `stream` (a cudaStream_t), workspace from api.alloc; only in builds with cuDNN.
std::unique_ptr<DnnApi> make_cudnn(GpuApi& api, void* stream);

}  // namespace audify::gpu
