// The thin library layer the GPU pipelines are written against: device memory, copies, batched
// real FFTs (cuFFT's conventions), column-major GEMM (cuBLAS's), and kernel launches. Two
// implementations: gpu_api_cuda.cu (the real device) and gpu_api_emulated.cpp (host memory, FFTW,
// OpenBLAS and a grid runner calling the same kernel bodies), so the orchestration and the kernels
// run, and are tested, on machines without a GPU. No CUDA header here.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "dnn_api.h"
#include "kernels/launch_entry.cuh"

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
  // returns false where there are no graphs: the calls then run as they are made and
  // end_capture() must not be called. No synchronize() while capturing, and the first gemm of an
  // API must come before its first capture (cuBLAS initialises itself on first use).
  virtual bool begin_capture() { return false; }
  virtual void* end_capture() { return nullptr; }
  // Ends a capture that failed half way, dropping what it recorded, so the stream runs again.
  virtual void abort_capture() noexcept {}
  virtual void replay(void* graph) { (void)graph; }
  virtual void destroy_graph(void* graph) noexcept { (void)graph; }

  // The DNN library on this API's stream (dnn_api.h): cuDNN on a device (throws audify::Error in
  // a build without cuDNN), the CPU CNN's code under emulation. The API must outlive it.
  virtual std::unique_ptr<DnnApi> make_dnn() = 0;

  // Runs `kernel` (a functor of kernels/*.cuh, registered with AUDIFY_KERNEL) over `shape`,
  // ordered on the stream like every other call.
  template <typename Kernel>
  void launch(const Kernel& kernel, const LaunchShape& shape) {
    launch_erased(kernel_entry<Kernel>(), &kernel, shape);
  }
  // launch()'s type-erased form: `kernel` points at entry.size bytes of the functor, read before
  // the call returns.
  virtual void launch_erased(const KernelEntry& entry, const void* kernel,
                             const LaunchShape& shape) = 0;
};

// Failures the emulation injects on demand, so tests reach the device's error paths: an allocation
// cudaMalloc refuses, and a kernel whose error surfaces only at the next synchronize() (as an
// asynchronous CUDA error does). Shared by every emulated API made with it, whose calls it counts;
// the limits are plain fields, changed only while no other thread is using those APIs.
struct EmulatedFaults {
  std::size_t max_alloc_bytes = SIZE_MAX;  // alloc()/alloc_host() of more bytes throw
  long long fail_alloc_number = 0;         // the Nth allocation (from 1) throws; 0 = none
  long long fail_launch_number = 0;        // the Nth kernel launch (from 1) fails; 0 = none
  std::atomic<long long> allocations{0};   // asked for so far (refused ones included)
  std::atomic<long long> refused{0};       // allocations refused so far
  std::atomic<long long> launches{0};      // made so far
};

// Host emulation of the device (always available).
std::unique_ptr<GpuApi> make_emulated_api();
// The emulation failing as `faults` says.
std::unique_ptr<GpuApi> make_faulty_emulated_api(std::shared_ptr<EmulatedFaults> faults);
// The emulation with poisoned memory: alloc() and memset_zero() fill all-ones bytes (NaN as float
// and double), so code relying on neither proves that it writes every element before reading it.
std::unique_ptr<GpuApi> make_poisoned_emulated_api();

// `count` T of device memory (or, with kPinnedHost, page-locked host memory for staging copies),
// move-only; grow() keeps the allocation when it is already big enough.
template <typename T, bool kPinnedHost = false>
class GpuArray {
 public:
  explicit GpuArray(GpuApi& api) : api_(&api) {}
  GpuArray(GpuArray&& o) noexcept
      : api_(o.api_), ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  GpuArray& operator=(GpuArray&&) = delete;
  GpuArray(const GpuArray&) = delete;
  ~GpuArray() { release(); }

  // Contents are discarded when the array grows; new device storage is zeroed. When the
  // allocation throws the array is left empty, so a later grow() allocates again.
  T* grow(std::size_t count) {
    if (count <= size_) return ptr_;
    release();
    const std::size_t bytes = count * sizeof(T);
    ptr_ = static_cast<T*>(kPinnedHost ? api_->alloc_host(bytes) : api_->alloc(bytes));
    size_ = count;
    if (!kPinnedHost) api_->memset_zero(ptr_, count * sizeof(T));
    return ptr_;
  }
  void upload(const T* host, std::size_t count) {
    grow(count);
    if (count > 0) api_->memcpy_h2d(ptr_, host, count * sizeof(T));
  }
  T* get() const { return ptr_; }
  std::size_t size() const { return size_; }

 private:
  void release() noexcept {
    T* p = std::exchange(ptr_, nullptr);
    size_ = 0;
    if (kPinnedHost)
      api_->free_host(p);
    else
      api_->free(p);
  }

  GpuApi* api_;
  T* ptr_ = nullptr;
  std::size_t size_ = 0;
};

template <typename T>
using DeviceArray = GpuArray<T>;
template <typename T>
using PinnedArray = GpuArray<T, true>;

}  // namespace audify::gpu
