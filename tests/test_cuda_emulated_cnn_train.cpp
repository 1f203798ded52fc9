// The GPU CNN trainer (cuda/cnn_gpu.h) in host emulation against the CPU trainer
// (nn::cnn::CnnTrainer), tests/cuda_cnn_conformance.h: a whole SB-CNN at its real shapes and a
// small network with batch norm, strides and SGD, and that network on soft targets, agree in their
// losses and weights within float tolerance (the emulation runs the CPU's convolution code, so only
// reductions' order differs).
#include <gtest/gtest.h>

#include "cuda_cnn_conformance.h"

namespace audify {
namespace {

TEST(CnnGpuEmulated, SbCnnAdamStepsAgreeWithTheCpuTrainer) {
  const auto api = gpu::make_emulated_api();
  test::expect_cnn_trainers_agree(*api, test::sb_cnn_run(), 1e-4, 2e-5);
}

TEST(CnnGpuEmulated, BatchNormStridesAndSgdAgreeWithTheCpuTrainer) {
  const auto api = gpu::make_emulated_api();
  test::expect_cnn_trainers_agree(*api, test::batch_norm_sgd_run(), 1e-4, 2e-5);
}

TEST(CnnGpuEmulated, SoftTargetStepsAgreeWithTheCpuTrainer) {
  const auto api = gpu::make_emulated_api();
  test::expect_cnn_trainers_agree(*api, test::soft_target_run(), 1e-4, 2e-5);
}

}  // namespace
}  // namespace audify
