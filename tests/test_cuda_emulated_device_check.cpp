// Which GPUs this build's device code can run on (cuda/compute_capability.h), and what the backend
// does with one it cannot: device=auto falls back to the CPU with a warning, device=cuda refuses
// naming the device's compute capability. The emulated GPU takes a capability from
// AUDIFY_CUDA_EMULATE_CC, so the refusal is tested without a device.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "backend_emulated.h"
#include "compute_capability.h"
#include "core/error.h"
#include "features/backend.h"
#include "nn/train_backend.h"
#include "test_support.h"

namespace audify {
namespace {

using cuda::ComputeCapability;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool runs(const std::string& list, int major, int minor) {
  return cuda::unsupported_reason({major, minor}, cuda::parse_cuda_architectures(list), "gpu")
      .empty();
}

TEST(ComputeCapability, MachineCodeRunsOnLaterMinorsOfItsMajorOnly) {
  EXPECT_TRUE(runs("80-real", 8, 0));
  EXPECT_TRUE(runs("80-real", 8, 6));
  EXPECT_TRUE(runs("80-real", 8, 9));
  EXPECT_FALSE(runs("80-real", 7, 5));
  EXPECT_FALSE(runs("80-real", 9, 0));
  EXPECT_FALSE(runs("86-real", 8, 0));
}

TEST(ComputeCapability, PtxRunsOnItsCapabilityAndLater) {
  EXPECT_TRUE(runs("90-virtual", 9, 0));
  EXPECT_TRUE(runs("90-virtual", 10, 0));
  EXPECT_TRUE(runs("90-virtual", 12, 0));
  EXPECT_FALSE(runs("90-virtual", 8, 9));
  EXPECT_TRUE(runs("90", 12, 1));  // a plain entry is machine code and PTX
}

TEST(ComputeCapability, ArchSpecificTargetsRunOnTheirCapabilityOnly) {
  EXPECT_TRUE(runs("90a-real", 9, 0));
  EXPECT_FALSE(runs("90a-real", 10, 0));
  EXPECT_FALSE(runs("90a", 10, 0));
}

TEST(ComputeCapability, ParsesCmakeListsAndSaysWhatIsMissing) {
  const auto archs = cuda::parse_cuda_architectures("75-real;80-real 90");
  ASSERT_EQ(archs.size(), 3u);
  EXPECT_EQ(cuda::describe(archs), "sm_75, sm_80, sm_90 and PTX compute_90");
  EXPECT_TRUE(cuda::parse_cuda_architectures("75-real,90").size() == 2);
  // Lists CMake expands itself cannot be checked here: the driver's probe decides.
  EXPECT_TRUE(cuda::parse_cuda_architectures("native").empty());
  EXPECT_TRUE(cuda::parse_cuda_architectures("all-major").empty());
  EXPECT_TRUE(cuda::unsupported_reason({7, 0}, {}, "gpu").empty());
  const std::string why = cuda::unsupported_reason({7, 0}, archs, "Tesla V100");
  EXPECT_TRUE(contains(why, "Tesla V100 has compute capability 7.0")) << why;
  EXPECT_TRUE(contains(why, "sm_75, sm_80, sm_90 and PTX compute_90")) << why;
}

TEST(ComputeCapability, ParsesCapabilities) {
  const auto cc = cuda::parse_compute_capability("8.6");
  ASSERT_TRUE(cc.has_value());
  EXPECT_EQ(cc->major, 8);
  EXPECT_EQ(cc->minor, 6);
  EXPECT_FALSE(cuda::parse_compute_capability("86").has_value());
  EXPECT_FALSE(cuda::parse_compute_capability("8.x").has_value());
  EXPECT_FALSE(cuda::parse_compute_capability("").has_value());
}

// The build's own list covers the GPUs the README names (T4 to Blackwell) and none older.
TEST(ComputeCapability, TheBuildRunsOnTuringAndLater) {
  const auto archs = cuda::built_cuda_architectures();
  if (archs.empty()) GTEST_SKIP() << "built without a parsable CMAKE_CUDA_ARCHITECTURES";
  for (const ComputeCapability cc :
       {ComputeCapability{7, 5}, {8, 0}, {8, 6}, {8, 9}, {9, 0}, {10, 0}, {12, 0}})
    EXPECT_TRUE(cuda::unsupported_reason(cc, archs, "gpu").empty()) << cc.major << "." << cc.minor;
  EXPECT_FALSE(cuda::unsupported_reason({7, 0}, archs, "gpu").empty());
}

class EmulatedCapability : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda::built_cuda_architectures().empty())
      GTEST_SKIP() << "built without a parsable CMAKE_CUDA_ARCHITECTURES";
    cuda::register_emulated_backend();
  }
  void TearDown() override {
    unsetenv("AUDIFY_CUDA_EMULATE_CC");
    set_cuda_backend(nullptr);
    nn::set_device_trainer_backend({});
  }
};

TEST_F(EmulatedCapability, AnUnsupportedGpuFallsBackToTheCpuOrIsRefused) {
  setenv("AUDIFY_CUDA_EMULATE_CC", "6.1", 1);
  EXPECT_EQ(resolve_device(Device::auto_), Device::cpu);
  EXPECT_EQ(make_batch_extractor(Device::auto_, FeatureOptions{})->backend(), "cpu");
  try {
    make_batch_extractor(Device::cuda, FeatureOptions{});
    ADD_FAILURE() << "device=cuda on an unsupported GPU must throw";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "compute capability 6.1")) << e.what();
  }
  std::string why;
  EXPECT_FALSE(nn::device_training_usable(why));
  EXPECT_TRUE(contains(why, "compute capability 6.1")) << why;

  setenv("AUDIFY_CUDA_EMULATE_CC", "8.6", 1);
  EXPECT_EQ(resolve_device(Device::auto_), Device::cuda);
  EXPECT_TRUE(nn::device_training_usable(why)) << why;

  setenv("AUDIFY_CUDA_EMULATE_CC", "eight", 1);
  EXPECT_THROW(resolve_device(Device::auto_), Error);
}

// `audify` itself: refuses device=cuda on the unsupported emulated GPU (exit 2, saying why) and
// warns when device=auto falls back to the CPU.
TEST_F(EmulatedCapability, TheCliRefusesOrWarns) {
  const std::string env = "AUDIFY_CUDA_EMULATE=1 AUDIFY_CUDA_EMULATE_CC=6.1";
  const auto bench = [&](const char* device, std::string* log) {
    return test::run_command(fmt::format("{} '{}' bench features device={} --clips 1 --repeats 1",
                                         env, test::audify_binary().string(), device),
                             log);
  };
  std::string log;
  EXPECT_EQ(bench("cuda", &log), 2) << log;
  EXPECT_TRUE(contains(log, "device=cuda: the CUDA backend is unusable")) << log;
  EXPECT_TRUE(contains(log, "compute capability 6.1")) << log;
  // auto resolves to the CPU, saying why as a warning (and bench, which measures GPUs only, stops).
  EXPECT_EQ(bench("auto", &log), 2) << log;
  EXPECT_TRUE(contains(log, "device=auto has no usable CUDA backend")) << log;
  EXPECT_TRUE(contains(log, "warning cuda: ")) << log;
  EXPECT_TRUE(contains(log, "compute capability 6.1")) << log;
}

}  // namespace
}  // namespace audify
