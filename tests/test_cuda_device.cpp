// The conformance suite of test_cuda_emulated on a real CUDA device: every stage and the whole
// pipeline against the CPU reference. Skips, saying why, in builds without the CUDA backend or on
// machines without a usable device; the backend selection is checked either way.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "cuda_conformance.h"
#include "cuda_device_support.h"
#include "features/backend.h"
#include "test_support.h"

#ifdef AUDIFY_WITH_CUDA
#include "backend_cuda.h"
#endif

namespace audify {
namespace {

using test::cuda_device_api;
using test::cuda_unavailable_reason;

class CudaDeviceConformance : public ::testing::TestWithParam<unsigned> {
 protected:
  void SetUp() override {
    const std::string why = cuda_unavailable_reason();
    if (!why.empty()) GTEST_SKIP() << "no CUDA device: " << why;
  }
};

TEST_P(CudaDeviceConformance, EveryStageMatchesCpu) {
  const test::ConformanceCase c = test::random_case(GetParam());
  SCOPED_TRACE(c.describe());
  auto api = cuda_device_api();
  test::check_stages(*api, c);
}

TEST_P(CudaDeviceConformance, PipelineMatchesCpu) {
  const test::ConformanceCase c = test::random_case(GetParam());
  SCOPED_TRACE(c.describe());
  auto api = cuda_device_api();
  test::check_pipeline(*api, c);
}

TEST_P(CudaDeviceConformance, EveryStatisticMatchesCpu) {
  const test::ConformanceCase c = test::random_case(GetParam());
  SCOPED_TRACE(c.describe());
  auto api = cuda_device_api();
  test::check_stats(*api, c);
}

INSTANTIATE_TEST_SUITE_P(RandomShapes, CudaDeviceConformance, ::testing::Range(1u, 25u));

TEST(CudaDeviceRealClips, MeanAndStatsMatchCpu) {
  const std::string why = cuda_unavailable_reason();
  if (!why.empty()) GTEST_SKIP() << "no CUDA device: " << why;
  const auto root = test::shared_path("data/urbansound8k-sample");
  if (!root) GTEST_SKIP() << "../shared/data/urbansound8k-sample is absent";
  auto api = cuda_device_api();
  test::check_real_clips(*api, *root);
}

#ifdef AUDIFY_WITH_CUDA
TEST(CudaBackend, SelectionFollowsTheDevice) {
  cuda::register_cuda_backend();
  const MfccOptions o;
  const std::string why = cuda_unavailable_reason();
  EXPECT_EQ(make_extractor(Device::cpu, o)->backend(), "cpu");
  if (why.empty()) {
    EXPECT_EQ(make_extractor(Device::cuda, o)->backend(), "cuda");
    EXPECT_EQ(make_extractor(Device::auto_, o)->backend(), "cuda");
    return;
  }
  EXPECT_EQ(make_extractor(Device::auto_, o)->backend(), "cpu");
  try {
    make_extractor(Device::cuda, o);
    ADD_FAILURE() << "device=cuda without a device must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
  }
}
#endif

}  // namespace
}  // namespace audify
