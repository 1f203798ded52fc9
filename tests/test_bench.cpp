// The benchmark commands run end to end on tiny sizes and report their figures (the figures
// themselves are measured by hand, never asserted: speed targets live in benchmarks, not tests).
#include <gtest/gtest.h>

#include <regex>

#include "test_support.h"

namespace audify {
namespace {

TEST(BenchCommand, FeaturesReportsEveryResamplerAndStage) {
  std::string out;
  ASSERT_EQ(
      test::run_command(
          test::audify_binary().string() + " bench features --clips 3 --repeats 1 -j 2", &out),
      0)
      << out;
  EXPECT_NE(out.find("kaiser_fast"), std::string::npos) << out;
  EXPECT_NE(out.find("soxr_hq"), std::string::npos) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(kaiser_fast\s+1\s+\d+)"))) << out;
}

TEST(BenchCommand, TrainReportsStepsAndALearnableCrossValidation) {
  std::string out;
  ASSERT_EQ(
      test::run_command(
          test::audify_binary().string() + " bench train --steps 300 --cv-epochs 2 -j 2", &out),
      0)
      << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(1 thread:\s+(\d+) steps/s)"))) << out;
  EXPECT_GT(std::stod(m[1]), 0.0);
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(mean accuracy ([0-9.]+))"))) << out;
  EXPECT_GT(std::stod(m[1]), 0.5) << "the benchmark's synthetic blobs must be learnable";
}

TEST(BenchCommand, TrainSbCnnReportsStepsAndThePeersFlopCount) {
  std::string out;
  ASSERT_EQ(test::run_command(test::audify_binary().string() +
                                  " bench train model=sb_cnn --threads 1 --cnn-steps 1",
                              &out),
            0)
      << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(([0-9.]+) steps/s, 11\.01 GFLOP per step)")))
      << out;
  EXPECT_GT(std::stod(m[1]), 0.0);
  EXPECT_NE(out.find("241434 parameters"), std::string::npos) << out;
  EXPECT_NE(test::run_command(test::audify_binary().string() + " bench train model=resnet", &out),
            0);
  EXPECT_NE(out.find("model=resnet"), std::string::npos) << out;
}

// Debian's OpenBLAS can give a CPU narrower kernels than it has (SSE3 on a Xeon it does not know);
// `audify bench` and CNN runs re-execute themselves with the widest the CPU runs.
TEST(BenchCommand, SbCnnRunsOnTheWidestSgemmKernelsTheCpuHas) {
  std::string out;
  ASSERT_EQ(test::run_command("env -u OPENBLAS_CORETYPE " + test::audify_binary().string() +
                                  " bench train model=sb_cnn --threads 1 --cnn-steps 1",
                              &out),
            0)
      << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(OpenBLAS (\w+) kernels)"))) << out;
  const std::string kernels = m[1];
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    EXPECT_TRUE(kernels == "SkylakeX" || kernels == "Cooperlake" || kernels == "SapphireRapids")
        << kernels;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    EXPECT_NE(kernels, "Prescott");
  else
    GTEST_SKIP() << "a CPU without AVX2: OpenBLAS's own choice (" << kernels << ") stands";
}

}  // namespace
}  // namespace audify
