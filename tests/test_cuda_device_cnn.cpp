// The GPU CNN trainer on a real device (cuDNN, cuBLAS, the kernels) against the CPU trainer,
// tests/cuda_cnn_conformance.h; skips without a device. cuDNN's algorithms sum in other orders
// than im2col + sgemm, so the tolerances are wider than the emulation's.
#include <gtest/gtest.h>

#include "cuda_cnn_conformance.h"
#include "cuda_device_support.h"

namespace audify {
namespace {

class CnnGpuDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = test::cuda_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
    api = test::cuda_device_api();
  }
  std::unique_ptr<gpu::GpuApi> api;
};

TEST_F(CnnGpuDevice, SbCnnAdamStepsAgreeWithTheCpuTrainer) {
  test::expect_cnn_trainers_agree(*api, test::sb_cnn_run(), 1e-3, 1e-3);
}

TEST_F(CnnGpuDevice, BatchNormStridesAndSgdAgreeWithTheCpuTrainer) {
  test::expect_cnn_trainers_agree(*api, test::batch_norm_sgd_run(), 1e-3, 1e-3);
}

TEST_F(CnnGpuDevice, SoftTargetStepsAgreeWithTheCpuTrainer) {
  test::expect_cnn_trainers_agree(*api, test::soft_target_run(), 1e-3, 1e-3);
}

}  // namespace
}  // namespace audify
