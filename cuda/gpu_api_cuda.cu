// GpuApi on a CUDA device: one stream per instance; cuFFT plans cached per (n, batch) shape; cuBLAS
// bound to the stream; each launch runs the kernel body from kernels/*.cuh through its __global__
// instantiation (kernels/launch_entry.cuh), found by the functor's type. Every CUDA,
// cuFFT and cuBLAS call is checked and reports the expression, file and line.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cufft.h>

#include <cstdint>
#include <map>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <utility>

#include "all_kernels.cuh"  // generated: every kernels/*.cuh, registering its kernels
#include "core/error.h"
#include "device.h"
#include "gpu_api_cuda.h"

namespace audify::gpu {

namespace {
std::unordered_map<std::type_index, DeviceLaunch>& device_kernels() {
  static std::unordered_map<std::type_index, DeviceLaunch> kernels;
  return kernels;
}
}  // namespace

bool register_device_kernel(const std::type_info& type, DeviceLaunch launch) {
  device_kernels().emplace(std::type_index(type), launch);
  return true;
}

namespace {

void check(cudaError_t status, const char* expr, const char* file, int line) {
  if (status != cudaSuccess)
    fail("cuda: {} failed: {} ({}:{})", expr, cudaGetErrorString(status), file, line);
}
void check(cublasStatus_t status, const char* expr, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    fail("cuda: {} failed: {} ({}:{})", expr, cublasGetStatusString(status), file, line);
}
void check(cufftResult status, const char* expr, const char* file, int line) {
  if (status != CUFFT_SUCCESS)
    fail("cuda: {} failed: cufftResult {} ({}:{})", expr, static_cast<int>(status), file, line);
}
#define AUDIFY_CUDA_CHECK(expr) check((expr), #expr, __FILE__, __LINE__)

cublasOperation_t cublas_op(Op op) {
  return op == Op::transpose ? CUBLAS_OP_T : CUBLAS_OP_N;
}

class CudaApi final : public GpuApi {
 public:
  CudaApi() {
    AUDIFY_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    AUDIFY_CUDA_CHECK(cublasCreate(&blas_));
    AUDIFY_CUDA_CHECK(cublasSetStream(blas_, stream_));
  }
  ~CudaApi() override {  // never throws: statuses are ignored on the way out
    cudaStreamSynchronize(stream_);
    for (auto& [shape, plan] : plans_) cufftDestroy(plan);
    cublasDestroy(blas_);
    cudaStreamDestroy(stream_);
  }
  CudaApi(const CudaApi&) = delete;
  CudaApi& operator=(const CudaApi&) = delete;

  std::string_view name() const override { return "cuda"; }

  void* alloc(std::size_t bytes) override {
    void* p = nullptr;
    AUDIFY_CUDA_CHECK(cudaMalloc(&p, bytes > 0 ? bytes : 1));
    return p;
  }
  void free(void* device_ptr) noexcept override { cudaFree(device_ptr); }
  void* alloc_host(std::size_t bytes) override {
    void* p = nullptr;
    AUDIFY_CUDA_CHECK(cudaMallocHost(&p, bytes > 0 ? bytes : 1));
    return p;
  }
  void free_host(void* host_ptr) noexcept override { cudaFreeHost(host_ptr); }

  void memcpy_h2d(void* dst, const void* src, std::size_t bytes) override {
    AUDIFY_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_));
  }
  void memcpy_d2h(void* dst, const void* src, std::size_t bytes) override {
    AUDIFY_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_));
  }
  void memset_zero(void* dst, std::size_t bytes) override {
    AUDIFY_CUDA_CHECK(cudaMemsetAsync(dst, 0, bytes, stream_));
  }
  void synchronize() override { AUDIFY_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

  FftPlan fft_plan_r2c(int n, int batch) override {
    auto it = plans_.find({n, batch});
    if (it == plans_.end()) {
      cufftHandle plan = 0;
      AUDIFY_CUDA_CHECK(
          cufftPlanMany(&plan, 1, &n, nullptr, 1, n, nullptr, 1, n / 2 + 1, CUFFT_R2C, batch));
      AUDIFY_CUDA_CHECK(cufftSetStream(plan, stream_));
      it = plans_.emplace(std::make_pair(n, batch), plan).first;
    }
    return FftPlan{n, batch, reinterpret_cast<void*>(static_cast<std::uintptr_t>(it->second))};
  }

  void fft_r2c_batched(const FftPlan& plan, const float* in, float* out) override {
    const auto handle = static_cast<cufftHandle>(reinterpret_cast<std::uintptr_t>(plan.handle));
    // A 1-D out-of-place R2C leaves its input intact; cuFFT's signature is just not const.
    AUDIFY_CUDA_CHECK(
        cufftExecR2C(handle, const_cast<float*>(in), reinterpret_cast<cufftComplex*>(out)));
  }

  void gemm(Op op_a, Op op_b, int m, int n, int k, float alpha, const float* a, int lda,
            const float* b, int ldb, float beta, float* c, int ldc) override {
    AUDIFY_CUDA_CHECK(cublasSgemm(blas_, cublas_op(op_a), cublas_op(op_b), m, n, k, &alpha, a, lda,
                                  b, ldb, &beta, c, ldc));
  }

  void strided_batched_gemm(Op op_a, Op op_b, int m, int n, int k, float alpha, const float* a,
                            int lda, long long stride_a, const float* b, int ldb,
                            long long stride_b, float beta, float* c, int ldc, long long stride_c,
                            int batch) override {
    AUDIFY_CUDA_CHECK(cublasSgemmStridedBatched(blas_, cublas_op(op_a), cublas_op(op_b), m, n, k,
                                                &alpha, a, lda, stride_a, b, ldb, stride_b, &beta,
                                                c, ldc, stride_c, batch));
  }

  // Stream capture in relaxed mode (cuBLAS may query its own state while recording); the graph is
  // instantiated once and replayed with cudaGraphLaunch. Kernel arguments are baked into the graph,
  // so callers keep every per-step value in device memory they refresh by a captured copy.
  bool begin_capture() override {
    AUDIFY_CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeRelaxed));
    return true;
  }
  void* end_capture() override {
    cudaGraph_t graph = nullptr;
    AUDIFY_CUDA_CHECK(cudaStreamEndCapture(stream_, &graph));
    cudaGraphExec_t exec = nullptr;
    const cudaError_t status = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    AUDIFY_CUDA_CHECK(status);
    return exec;
  }
  void abort_capture() noexcept override {
    cudaGraph_t graph = nullptr;
    cudaStreamEndCapture(stream_, &graph);  // fails when the capture was invalidated: fine here
    if (graph != nullptr) cudaGraphDestroy(graph);
    cudaGetLastError();
  }
  void replay(void* graph) override {
    AUDIFY_CUDA_CHECK(cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph), stream_));
  }
  void destroy_graph(void* graph) noexcept override {
    if (graph != nullptr) cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph));
  }

  std::unique_ptr<DnnApi> make_dnn() override {
#ifdef AUDIFY_HAVE_CUDNN
    return make_cudnn(*this, stream_);
#else
    fail(
        "cuda: this build has no cuDNN (cuda/CMakeLists.txt did not find it), so no CNN on the "
        "GPU");
#endif
  }

  void launch_erased(const KernelEntry& entry, const void* kernel,
                     const LaunchShape& shape) override {
    const auto it = device_kernels().find(std::type_index(*entry.type));
    if (it == device_kernels().end())
      fail("cuda: kernel {} has no device code (its header lacks AUDIFY_KERNEL)",
           entry.type->name());
    it->second(kernel, shape, stream_);
    AUDIFY_CUDA_CHECK(cudaGetLastError());
  }

 private:
  cudaStream_t stream_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  std::map<std::pair<int, int>, cufftHandle> plans_;  // (n, batch) -> plan
};

}  // namespace

std::unique_ptr<GpuApi> make_cuda_api() {
  const cuda::DeviceStatus status = cuda::query_devices();
  if (status.device_count == 0) fail("cuda: no usable device: {}", status.reason);
  return std::make_unique<CudaApi>();
}

}  // namespace audify::gpu

#include "core/error.h"
#include "device.h"
#include "gpu_api_cuda.h"