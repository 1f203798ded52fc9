// The thin library layer the GPU MFCC pipeline is written against: device memory, copies, batched
// real FFTs (cuFFT's conventions), column-major GEMM (cuBLAS's), and kernel launches. Two
// implementations: gpu_api_cuda.cu (the real device) and gpu_api_emulated.cpp (host memory, FFTW,
// OpenBLAS and a grid runner calling the same kernel bodies), so the orchestration and the kernels
// run, and are tested, on machines without a GPU. No CUDA header here.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

#include "kernels/adam.cuh"
#include "kernels/clip_mean.cuh"
#include "kernels/clip_stats.cuh"
#include "kernels/dense_act.cuh"
#include "kernels/frame_window.cuh"
#include "kernels/gather_batch.cuh"
#include "kernels/grid.cuh"
#include "kernels/power_to_db.cuh"
#include "kernels/softmax_xent.cuh"
#include "kernels/spectrum.cuh"

namespace audify::gpu {

enum class Op { none, transpose };  // cublasOperation_t: CUBLAS_OP_N, CUBLAS_OP_T

// A batched n-point real-to-complex FFT: in (batch, n) real, out (batch, n/2 + 1) complex,
// interleaved re/im, rows back to back (cufftPlanMany's idist = n, odist = n/2 + 1).
struct FftPlan {
  int n = 0;
  int batch = 0;
  void* handle = nullptr;  // owned by the GpuApi that made it
};

class GpuApi {
 public:
  virtual ~GpuApi() = default;
  virtual std::string_view name() const = 0;  // "cuda" or "cuda-emulated"

  // Device memory, and page-locked host memory for staging copies.
  virtual void* alloc(std::size_t bytes) = 0;
  virtual void free(void* device_ptr) noexcept = 0;
  virtual void* alloc_host(std::size_t bytes) = 0;
  virtual void free_host(void* host_ptr) noexcept = 0;

  // Ordered on the API's stream; the host may read d2h results only after synchronize().
  virtual void memcpy_h2d(void* device_dst, const void* host_src, std::size_t bytes) = 0;
  virtual void memcpy_d2h(void* host_dst, const void* device_src, std::size_t bytes) = 0;
  virtual void memset_zero(void* device_dst, std::size_t bytes) = 0;
  virtual void synchronize() = 0;

  // Plans are cached per (n, batch): asking twice returns the same plan.
  virtual FftPlan fft_plan_r2c(int n, int batch) = 0;
  virtual void fft_r2c_batched(const FftPlan& plan, const float* in, float* out) = 0;

  // cublasSgemm: C (m, n) = alpha op(A) op(B) + beta C, every matrix column-major.
  virtual void gemm(Op op_a, Op op_b, int m, int n, int k, float alpha, const float* a, int lda,
                    const float* b, int ldb, float beta, float* c, int ldc) = 0;
  // cublasSgemmStridedBatched: `batch` independent gemms, matrix i at a + i * stride_a (etc.).
  virtual void strided_batched_gemm(Op op_a, Op op_b, int m, int n, int k, float alpha,
                                    const float* a, int lda, long long stride_a, const float* b,
                                    int ldb, long long stride_b, float beta, float* c, int ldc,
                                    long long stride_c, int batch) = 0;

  // CUDA graphs: between begin_capture() and end_capture() the stream's calls are recorded, not
  // run, and replay() runs the recording (one launch instead of one per call). begin_capture()
  // returns false where there are no graphs (the emulation): the calls then run as they are made
  // and end_capture() must not be called.
  virtual bool begin_capture() { return false; }
  virtual void* end_capture() { return nullptr; }
  virtual void replay(void* graph) { (void)graph; }
  virtual void destroy_graph(void* graph) noexcept { (void)graph; }

  // One overload per kernel (see kernels/grid.cuh for what a kernel is).
  virtual void launch(const FrameWindowKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const PowerKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const MelKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const DbMaxKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const TopDbClampKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const ClipMeanKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const DeltaKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const ClipStatsKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const GatherBatchKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const BiasActDropoutKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const ActBackwardKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const BiasGradKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const SoftmaxXentKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const SoftmaxKernel& kernel, const LaunchShape& shape) = 0;
  virtual void launch(const AdamKernel& kernel, const LaunchShape& shape) = 0;
};

// Host emulation of the device (always available).
std::unique_ptr<GpuApi> make_emulated_api();
// The emulation with poisoned memory: alloc() and memset_zero() fill all-ones bytes (NaN as float
// and double), so code relying on neither proves that it writes every element before reading it.
std::unique_ptr<GpuApi> make_poisoned_emulated_api();

// Device memory of `count` T, move-only; grow() keeps the allocation when it is already big enough.
template <typename T>
class DeviceArray {
 public:
  explicit DeviceArray(GpuApi& api) : api_(&api) {}
  DeviceArray(DeviceArray&& o) noexcept
      : api_(o.api_), ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  DeviceArray& operator=(DeviceArray&&) = delete;
  DeviceArray(const DeviceArray&) = delete;
  ~DeviceArray() { api_->free(ptr_); }

  // Contents are discarded when the array grows; new storage is zeroed.
  void grow(std::size_t count) {
    if (count <= size_) return;
    api_->free(std::exchange(ptr_, nullptr));
    ptr_ = static_cast<T*>(api_->alloc(count * sizeof(T)));
    size_ = count;
    api_->memset_zero(ptr_, count * sizeof(T));
  }
  void upload(const T* host, std::size_t count) {
    grow(count);
    if (count > 0) api_->memcpy_h2d(ptr_, host, count * sizeof(T));
  }
  T* get() const { return ptr_; }
  std::size_t size() const { return size_; }

 private:
  GpuApi* api_;
  T* ptr_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace audify::gpu
