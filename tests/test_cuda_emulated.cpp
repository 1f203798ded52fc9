// The CUDA backend's kernels and orchestration run in host emulation against the CPU reference:
// the library conventions (cuFFT's R2C layout, cuBLAS's column-major GEMM) on their own, then every
// stage and the whole pipeline over random configurations, then backend selection.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "core/error.h"
#include "cuda_conformance.h"
#include "features/backend.h"
#include "gpu_api.h"

namespace audify {
namespace {

TEST(CudaEmulatedApi, FftMatchesCufftBatchedR2cLayout) {
  auto api = gpu::make_emulated_api();
  const int n = 12, batch = 3, bins = n / 2 + 1;
  std::vector<float> in(static_cast<std::size_t>(n * batch));  // (batch, n)
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::sin(0.7f * static_cast<float>(i * i));
  std::vector<float> out(static_cast<std::size_t>(2 * bins * batch), -1.0f);  // (batch, bins, 2)
  const gpu::FftPlan plan = api->fft_plan_r2c(n, batch);
  EXPECT_EQ(api->fft_plan_r2c(n, batch).handle, plan.handle);  // cached per shape
  api->fft_r2c_batched(plan, in.data(), out.data());
  for (int b = 0; b < batch; ++b)
    for (int k = 0; k < bins; ++k) {
      std::complex<double> x = 0;
      for (int t = 0; t < n; ++t)
        x += static_cast<double>(in[static_cast<std::size_t>(b * n + t)]) *
             std::polar(1.0, -2 * mfcc_math::kPi * k * t / n);
      EXPECT_NEAR(out[static_cast<std::size_t>(2 * (b * bins + k))], x.real(), 1e-4);
      EXPECT_NEAR(out[static_cast<std::size_t>(2 * (b * bins + k) + 1)], x.imag(), 1e-4);
    }
}

TEST(CudaEmulatedApi, GemmIsColumnMajorLikeCublas) {
  auto api = gpu::make_emulated_api();
  // A (2, 3) column-major = [[1 3 5] [2 4 6]]; B^T with B stored (2, 3) column-major too.
  const float a[] = {1, 2, 3, 4, 5, 6};
  const float b[] = {1, 0, 0, 1, 1, 1};  // B (2, 3) = [[1 0 1] [0 1 1]]
  float c[4] = {};                       // C (2, 2) = A * B^T
  api->gemm(gpu::Op::none, gpu::Op::transpose, 2, 2, 3, 1.0f, a, 2, b, 2, 0.0f, c, 2);
  EXPECT_FLOAT_EQ(c[0], 1 + 5);  // C(0, 0)
  EXPECT_FLOAT_EQ(c[1], 2 + 6);  // C(1, 0)
  EXPECT_FLOAT_EQ(c[2], 3 + 5);  // C(0, 1)
  EXPECT_FLOAT_EQ(c[3], 4 + 6);  // C(1, 1)
}

class CudaEmulatedConformance : public ::testing::TestWithParam<unsigned> {};

TEST_P(CudaEmulatedConformance, EveryStageMatchesCpu) {
  const test::ConformanceCase c = test::random_case(GetParam());
  SCOPED_TRACE(c.describe());
  auto api = gpu::make_emulated_api();
  test::check_stages(*api, c);
}

TEST_P(CudaEmulatedConformance, PipelineMatchesCpu) {
  const test::ConformanceCase c = test::random_case(GetParam());
  SCOPED_TRACE(c.describe());
  auto api = gpu::make_emulated_api();
  test::check_pipeline(*api, c);
}

INSTANTIATE_TEST_SUITE_P(RandomShapes, CudaEmulatedConformance, ::testing::Range(1u, 25u));

TEST(CudaEmulated, ReusesBuffersAcrossBatchesOfDifferentSizes) {
  const test::ConformanceCase big = test::random_case(7), small = test::random_case(3);
  auto api = gpu::make_emulated_api();
  gpu::MfccGpu gpu(big.options, *api);
  std::vector<std::span<const float>> spans(big.clips.begin(), big.clips.end());
  gpu.mfcc_batch(spans);
  const std::vector<float>& clip = small.clips.front();
  const std::vector<std::span<const float>> one{clip};
  const Matrix got = gpu.mfcc_batch(one).front();
  const Matrix want = make_cpu_extractor(big.options)->mfcc(clip);
  EXPECT_TRUE(test::rows_close("second batch", got, want, 0, want.rows));
}

TEST(CudaEmulated, EmptyClipAndErrorsMatchCpu) {
  auto api = gpu::make_emulated_api();
  MfccOptions o;
  gpu::MfccGpu gpu(o, *api);
  const std::vector<float> empty;
  const std::vector<std::span<const float>> one{empty};
  const std::vector<Matrix> got = gpu.mfcc_batch(one);
  const Matrix want = make_cpu_extractor(o)->mfcc(empty);
  ASSERT_EQ(got.front().rows, 1u);
  EXPECT_TRUE(test::rows_close("empty clip", got.front(), want, 0, 1));
  EXPECT_TRUE(gpu.mfcc_batch({}).empty());

  o.pad_mode = PadMode::reflect;
  gpu::MfccGpu reflect(o, *api);
  EXPECT_THROW(reflect.mfcc_batch(one), Error);
  o.n_mfcc = 500;
  EXPECT_THROW(gpu::MfccGpu(o, *api), Error);
}

TEST(Backend, ParsesDevices) {
  EXPECT_EQ(parse_device("auto"), Device::auto_);
  EXPECT_EQ(parse_device("cpu"), Device::cpu);
  EXPECT_EQ(parse_device("cuda"), Device::cuda);
  EXPECT_THROW(parse_device("gpu"), Error);
  EXPECT_EQ(device_name(Device::cuda), "cuda");
}

// Hooks whose device is gone (as a driver reports it): cuda refuses naming the reason, auto
// falls back to the CPU.
std::string no_device() {
  return "no CUDA-capable device is detected";
}
std::unique_ptr<FeatureExtractor> emulated_extractor(const MfccOptions& options) {
  return gpu::make_gpu_extractor(options, gpu::make_emulated_api());
}
std::unique_ptr<BatchExtractor> emulated_batch(const FeatureOptions& options) {
  return gpu::make_gpu_batch_extractor(options, &gpu::make_emulated_api, 4);
}
std::string available() {
  return {};
}

TEST(Backend, FallsBackToCpuOrExplainsWhy) {
  set_cuda_backend(nullptr);  // this test binary registers no CUDA backend by itself
  const MfccOptions o;
  EXPECT_EQ(make_extractor(Device::cpu, o)->backend(), "cpu");
  EXPECT_EQ(make_extractor(Device::auto_, o)->backend(), "cpu");
  EXPECT_EQ(resolve_device(Device::auto_), Device::cpu);
  try {
    make_extractor(Device::cuda, o);
    ADD_FAILURE() << "device=cuda without a CUDA backend must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA backend"), std::string::npos) << e.what();
  }
  const CudaBackendHooks gone{"cuda", &no_device, &emulated_extractor, &emulated_batch};
  set_cuda_backend(&gone);
  EXPECT_EQ(make_extractor(Device::auto_, o)->backend(), "cpu");
  EXPECT_EQ(make_batch_extractor(Device::auto_, FeatureOptions{})->backend(), "cpu");
  try {
    make_batch_extractor(Device::cuda, FeatureOptions{});
    ADD_FAILURE() << "device=cuda without a device must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(no_device()), std::string::npos) << e.what();
  }
  // A usable backend serves cuda and auto (here one serving the emulated GPU).
  const CudaBackendHooks usable{"cuda-emulated", &available, &emulated_extractor, &emulated_batch};
  set_cuda_backend(&usable);
  EXPECT_EQ(make_extractor(Device::cuda, o)->backend(), "cuda-emulated");
  EXPECT_EQ(make_extractor(Device::auto_, o)->backend(), "cuda-emulated");
  EXPECT_EQ(make_batch_extractor(Device::cuda, FeatureOptions{})->backend(), "cuda-emulated");
  EXPECT_EQ(make_extractor(Device::cpu, o)->backend(), "cpu");
  set_cuda_backend(nullptr);
}

}  // namespace
}  // namespace audify
