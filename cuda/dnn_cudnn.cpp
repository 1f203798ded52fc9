// DnnApi on a device: cuDNN 9's legacy convolution and pooling calls on the GpuApi's stream.
// Descriptors are made per call (cheap host structs); the algorithm for each convolution shape is
// chosen once by cudnnGetConvolution*Algorithm_v7 (the fastest that fits the workspace limit, in
// FMA math: no TF32, so results stay within float tolerance of the CPU) and cached; workspace is
// one GpuApi allocation grown as needed.
#include <cuda_runtime.h>
#include <cudnn.h>

#include <array>
#include <cstddef>
#include <map>
#include <tuple>

#include "core/error.h"
#include "dnn_api.h"
#include "gpu_api.h"

namespace audify::gpu {
namespace {

void check(cudnnStatus_t status, const char* expr, const char* file, int line) {
  if (status != CUDNN_STATUS_SUCCESS)
    fail("cudnn: {} failed: {} ({}:{})", expr, cudnnGetErrorString(status), file, line);
}
#define AUDIFY_CUDNN_CHECK(expr) check((expr), #expr, __FILE__, __LINE__)

constexpr std::size_t kWorkspaceLimit = std::size_t{256} << 20;  // bytes an algorithm may ask

// RAII descriptors.
struct TensorDesc {
  cudnnTensorDescriptor_t d = nullptr;
  TensorDesc(int n, int c, int h, int w) {
    AUDIFY_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d));
    AUDIFY_CUDNN_CHECK(
        cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w));
  }
  ~TensorDesc() { cudnnDestroyTensorDescriptor(d); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
};

struct ConvDescs {
  TensorDesc x, y;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  explicit ConvDescs(const ConvGeometry& g)
      : x(g.n, g.c, g.h, g.w), y(g.n, g.filters, g.out_h(), g.out_w()) {
    AUDIFY_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w));
    AUDIFY_CUDNN_CHECK(cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, g.filters,
                                                  g.c, g.kernel_h, g.kernel_w));
    AUDIFY_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv));
    AUDIFY_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv, 0, 0, g.stride_h, g.stride_w, 1, 1,
                                                       CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    AUDIFY_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, CUDNN_FMA_MATH));
  }
  ~ConvDescs() {
    cudnnDestroyConvolutionDescriptor(conv);
    cudnnDestroyFilterDescriptor(w);
  }
  ConvDescs(const ConvDescs&) = delete;
  ConvDescs& operator=(const ConvDescs&) = delete;
};

struct PoolDescs {
  TensorDesc x, y;
  cudnnPoolingDescriptor_t pool = nullptr;
  explicit PoolDescs(const PoolGeometry& g)
      : x(g.n, g.c, g.h, g.w), y(g.n, g.c, g.out_h(), g.out_w()) {
    AUDIFY_CUDNN_CHECK(cudnnCreatePoolingDescriptor(&pool));
    AUDIFY_CUDNN_CHECK(cudnnSetPooling2dDescriptor(pool, CUDNN_POOLING_MAX_DETERMINISTIC,
                                                   CUDNN_NOT_PROPAGATE_NAN, g.pool_h, g.pool_w, 0,
                                                   0, g.pool_h, g.pool_w));
  }
  ~PoolDescs() { cudnnDestroyPoolingDescriptor(pool); }
  PoolDescs(const PoolDescs&) = delete;
  PoolDescs& operator=(const PoolDescs&) = delete;
};

// The first (fastest) algorithm cuDNN's heuristics rank that succeeds within the limit.
template <typename Perf>
Perf pick(const std::array<Perf, 8>& perf, int count, const char* what) {
  for (int i = 0; i < count; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= kWorkspaceLimit) return perf[i];
  fail("cudnn: no {} algorithm within {} MiB of workspace", what, kWorkspaceLimit >> 20);
}

using ConvKey = std::tuple<int, int, int, int, int, int, int, int, int>;
ConvKey key(const ConvGeometry& g) {
  return {g.n, g.c, g.h, g.w, g.filters, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w};
}

class CudnnApi final : public DnnApi {
 public:
  CudnnApi(GpuApi& api, void* stream) : workspace_(api) {
    AUDIFY_CUDNN_CHECK(cudnnCreate(&handle_));
    AUDIFY_CUDNN_CHECK(cudnnSetStream(handle_, static_cast<cudaStream_t>(stream)));
  }
  ~CudnnApi() override { cudnnDestroy(handle_); }
  CudnnApi(const CudnnApi&) = delete;
  CudnnApi& operator=(const CudnnApi&) = delete;

  std::string_view name() const override { return "cudnn"; }

  void conv_forward(const ConvGeometry& g, const float* x, const float* weight, float* y) override {
    const ConvDescs d(g);
    auto it = forward_.find(key(g));
    if (it == forward_.end()) {
      std::array<cudnnConvolutionFwdAlgoPerf_t, 8> perf{};
      int count = 0;
      AUDIFY_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(
          handle_, d.x.d, d.w, d.conv, d.y.d, static_cast<int>(perf.size()), &count, perf.data()));
      it = forward_.emplace(key(g), pick(perf, count, "forward convolution")).first;
    }
    const float one = 1.0f, zero = 0.0f;
    AUDIFY_CUDNN_CHECK(cudnnConvolutionForward(handle_, &one, d.x.d, x, d.w, weight, d.conv,
                                               it->second.algo, workspace(it->second.memory),
                                               it->second.memory, &zero, d.y.d, y));
  }

  void conv_backward_data(const ConvGeometry& g, const float* weight, const float* dy,
                          float* dx) override {
    const ConvDescs d(g);
    auto it = backward_data_.find(key(g));
    if (it == backward_data_.end()) {
      std::array<cudnnConvolutionBwdDataAlgoPerf_t, 8> perf{};
      int count = 0;
      AUDIFY_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(
          handle_, d.w, d.y.d, d.conv, d.x.d, static_cast<int>(perf.size()), &count, perf.data()));
      it = backward_data_.emplace(key(g), pick(perf, count, "backward-data convolution")).first;
    }
    const float one = 1.0f, zero = 0.0f;
    AUDIFY_CUDNN_CHECK(cudnnConvolutionBackwardData(handle_, &one, d.w, weight, d.y.d, dy, d.conv,
                                                    it->second.algo, workspace(it->second.memory),
                                                    it->second.memory, &zero, d.x.d, dx));
  }

  void conv_backward_filter(const ConvGeometry& g, const float* x, const float* dy,
                            float* dweight) override {
    const ConvDescs d(g);
    auto it = backward_filter_.find(key(g));
    if (it == backward_filter_.end()) {
      std::array<cudnnConvolutionBwdFilterAlgoPerf_t, 8> perf{};
      int count = 0;
      AUDIFY_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
          handle_, d.x.d, d.y.d, d.conv, d.w, static_cast<int>(perf.size()), &count, perf.data()));
      it = backward_filter_.emplace(key(g), pick(perf, count, "backward-filter convolution")).first;
    }
    const float one = 1.0f, zero = 0.0f;
    AUDIFY_CUDNN_CHECK(cudnnConvolutionBackwardFilter(handle_, &one, d.x.d, x, d.y.d, dy, d.conv,
                                                      it->second.algo, workspace(it->second.memory),
                                                      it->second.memory, &zero, d.w, dweight));
  }

  void pool_forward(const PoolGeometry& g, const float* x, float* y) override {
    const PoolDescs d(g);
    const float one = 1.0f, zero = 0.0f;
    AUDIFY_CUDNN_CHECK(cudnnPoolingForward(handle_, d.pool, &one, d.x.d, x, &zero, d.y.d, y));
  }

  void pool_backward(const PoolGeometry& g, const float* x, const float* y, const float* dy,
                     float* dx) override {
    const PoolDescs d(g);
    const float one = 1.0f, zero = 0.0f;
    AUDIFY_CUDNN_CHECK(cudnnPoolingBackward(handle_, d.pool, &one, d.y.d, y, d.y.d, dy, d.x.d, x,
                                            &zero, d.x.d, dx));
  }

 private:
  void* workspace(std::size_t bytes) { return bytes == 0 ? nullptr : workspace_.grow(bytes); }

  DeviceArray<unsigned char> workspace_;
  cudnnHandle_t handle_ = nullptr;
  std::map<ConvKey, cudnnConvolutionFwdAlgoPerf_t> forward_;
  std::map<ConvKey, cudnnConvolutionBwdDataAlgoPerf_t> backward_data_;
  std::map<ConvKey, cudnnConvolutionBwdFilterAlgoPerf_t> backward_filter_;
};

}  // namespace

std::unique_ptr<DnnApi> make_cudnn(GpuApi& api, void* stream) {
  return std::make_unique<CudnnApi>(api, stream);
}

}  // namespace audify::gpu
