// The GPU API on the host: memory is host memory, cuFFT is FFTW with cuFFT's batched R2C layout,
// cuBLAS is OpenBLAS called column-major (so a row/column-major slip in the orchestration fails the
// parity tests here, as it would on the device), and a launch runs the kernel body for every block
// and thread, one phase at a time (see kernels/grid.cuh), as a barrier-respecting schedule would.
#include <fftw3.h>

#include <cstddef>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <cblas.h>

#include "core/error.h"
#include "features/mfcc_cpu.h"
#include "gpu_api.h"

namespace audify::gpu {
namespace {

CBLAS_TRANSPOSE cblas_op(Op op) {
  return op == Op::transpose ? CblasTrans : CblasNoTrans;
}

class EmulatedApi final : public GpuApi {
 public:
  ~EmulatedApi() override {
    std::lock_guard lock(fftw_planner_mutex());
    for (auto& [shape, plan] : plans_) fftwf_destroy_plan(static_cast<fftwf_plan>(plan));
  }

  EmulatedApi() = default;
  explicit EmulatedApi(bool poison) : poison_(poison) {}
  explicit EmulatedApi(std::shared_ptr<EmulatedFaults> faults) : faults_(std::move(faults)) {}

  std::string_view name() const override { return "cuda-emulated"; }

  // Throws, as cudaMalloc's failure does on the device (gpu_api_cuda.cu).
  void* alloc(std::size_t bytes) override {
    if (faults_ != nullptr) inject_allocation_fault(bytes);
    void* p = fftwf_malloc(bytes > 0 ? bytes : 1);
    if (p == nullptr) fail("cuda-emulated: out of memory allocating {} bytes", bytes);
    if (poison_) std::memset(p, 0xFF, bytes);  // all-ones bytes: NaN as float and double
    return p;
  }
  void free(void* device_ptr) noexcept override { fftwf_free(device_ptr); }
  void* alloc_host(std::size_t bytes) override { return alloc(bytes); }
  void free_host(void* host_ptr) noexcept override { fftwf_free(host_ptr); }

  void memcpy_h2d(void* dst, const void* src, std::size_t bytes) override {
    issue([=] { std::memcpy(dst, src, bytes); });
  }
  void memcpy_d2h(void* dst, const void* src, std::size_t bytes) override {
    issue([=] { std::memcpy(dst, src, bytes); });
  }
  void memset_zero(void* dst, std::size_t bytes) override {
    const int byte = poison_ ? 0xFF : 0;
    issue([=] { std::memset(dst, byte, bytes); });
  }
  // Where the device reports a kernel's failure: at the next synchronisation, not at the launch.
  void synchronize() override {
    if (capture_ != nullptr) fail("cuda-emulated: synchronize() inside stream capture");
    if (!launch_error_.empty()) throw Error(std::exchange(launch_error_, {}));
  }

  FftPlan fft_plan_r2c(int n, int batch) override {
    AUDIFY_ASSERT(n > 0 && batch > 0);
    void*& plan = plans_[{n, batch}];
    if (plan == nullptr) {
      std::lock_guard lock(fftw_planner_mutex());
      // FFTW_ESTIMATE does not touch the arrays; FFTW_UNALIGNED lets any pointer run the plan.
      float* in = static_cast<float*>(alloc(sizeof(float)));
      fftwf_complex* out = static_cast<fftwf_complex*>(alloc(sizeof(fftwf_complex)));
      const int n_complex = n / 2 + 1;
      plan = fftwf_plan_many_dft_r2c(1, &n, batch, in, nullptr, 1, n, out, nullptr, 1, n_complex,
                                     FFTW_ESTIMATE | FFTW_UNALIGNED);
      free(in);
      free(out);
      AUDIFY_ASSERT(plan != nullptr);
    }
    return FftPlan{n, batch, plan};
  }

  void fft_r2c_batched(const FftPlan& plan, const float* in, float* out) override {
    // FFTW's R2C leaves its input alone (cuFFT's may not); the const_cast is FFTW's API only.
    const auto handle = static_cast<fftwf_plan>(plan.handle);
    issue([=] {
      fftwf_execute_dft_r2c(handle, const_cast<float*>(in), reinterpret_cast<fftwf_complex*>(out));
    });
  }

  void gemm(Op op_a, Op op_b, int m, int n, int k, float alpha, const float* a, int lda,
            const float* b, int ldb, float beta, float* c, int ldc) override {
    check_blas_ready();
    issue([=] {
      cblas_sgemm(CblasColMajor, cblas_op(op_a), cblas_op(op_b), m, n, k, alpha, a, lda, b, ldb,
                  beta, c, ldc);
    });
  }

  // cuBLAS's strided batch is independent gemms; looping keeps each one's summation order equal
  // to a lone gemm's, so a model trained beside others gets bit-for-bit its lone result here.
  void strided_batched_gemm(Op op_a, Op op_b, int m, int n, int k, float alpha, const float* a,
                            int lda, long long stride_a, const float* b, int ldb,
                            long long stride_b, float beta, float* c, int ldc, long long stride_c,
                            int batch) override {
    for (int i = 0; i < batch; ++i)
      gemm(op_a, op_b, m, n, k, alpha, a + i * stride_a, lda, b + i * stride_b, ldb, beta,
           c + i * stride_c, ldc);
  }

  // Graphs: the calls between begin_capture() and end_capture() are recorded (arguments by value,
  // pointers read at replay, as a CUDA graph bakes them in) and replay() runs them in order.
  bool begin_capture() override {
    AUDIFY_ASSERT(capture_ == nullptr);
    capture_ = std::make_unique<Graph>();
    return true;
  }
  void* end_capture() override {
    AUDIFY_ASSERT(capture_ != nullptr);
    return capture_.release();
  }
  void abort_capture() noexcept override { capture_.reset(); }
  void replay(void* graph) override {
    for (const std::function<void()>& call : static_cast<Graph*>(graph)->calls) call();
  }
  void destroy_graph(void* graph) noexcept override { delete static_cast<Graph*>(graph); }

  std::unique_ptr<DnnApi> make_dnn() override { return make_emulated_dnn(); }

  // The functor's bytes are copied, so a recorded launch replays with the arguments it was given.
  void launch_erased(const KernelEntry& entry, const void* kernel,
                     const LaunchShape& shape) override {
    auto bytes = std::make_shared<std::vector<std::max_align_t>>(
        (entry.size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t));
    std::memcpy(bytes->data(), kernel, entry.size);
    issue([this, &entry, bytes, shape] { run_now(entry, bytes->data(), shape); });
  }

 private:
  void inject_allocation_fault(std::size_t bytes) {
    const long long n = ++faults_->allocations;
    if (bytes > faults_->max_alloc_bytes || n == faults_->fail_alloc_number) ++faults_->refused;
    if (bytes > faults_->max_alloc_bytes)
      fail("cuda-emulated: out of memory allocating {} bytes (injected limit {} bytes)", bytes,
           faults_->max_alloc_bytes);
    if (n == faults_->fail_alloc_number)
      fail("cuda-emulated: out of memory at allocation {} (injected)", n);
  }

  struct Graph {
    std::vector<std::function<void()>> calls;
  };

  // Runs a stream operation now, or records it while capturing.
  template <typename Call>
  void issue(Call call) {
    if (capture_ != nullptr)
      capture_->calls.emplace_back(std::move(call));
    else
      call();
  }

  // cuBLAS sets itself up (workspace, kernels) on its first call, which a stream capture must not
  // record: the emulation refuses what the device does not promise to allow.
  void check_blas_ready() {
    if (capture_ != nullptr && !blas_used_)
      fail(
          "cuda-emulated: the first cuBLAS call is inside stream capture (make one before "
          "begin_capture())");
    blas_used_ = true;
  }

  // A failed kernel writes nothing; its error waits for synchronize().
  void run_now(const KernelEntry& entry, const void* kernel, const LaunchShape& shape) {
    if (faults_ != nullptr && ++faults_->launches == faults_->fail_launch_number) {
      launch_error_ = fmt::format(
          "cuda-emulated: kernel launch {} failed: unspecified launch failure (injected "
          "asynchronous error)",
          faults_->fail_launch_number);
      return;
    }
    entry.run_on_host(kernel, shape);
  }

  std::map<std::pair<int, int>, void*> plans_;  // (n, batch) -> fftwf_plan
  bool poison_ = false;
  std::shared_ptr<EmulatedFaults> faults_;  // none: never fails
  std::string launch_error_;                // a failed launch's error, until synchronize()
  std::unique_ptr<Graph> capture_;          // being recorded
  bool blas_used_ = false;
};

}  // namespace

std::unique_ptr<GpuApi> make_emulated_api() {
  return std::make_unique<EmulatedApi>();
}

std::unique_ptr<GpuApi> make_faulty_emulated_api(std::shared_ptr<EmulatedFaults> faults) {
  AUDIFY_ASSERT(faults != nullptr);
  return std::make_unique<EmulatedApi>(std::move(faults));
}

std::unique_ptr<GpuApi> make_poisoned_emulated_api() {
  return std::make_unique<EmulatedApi>(true);
}

}  // namespace audify::gpu
