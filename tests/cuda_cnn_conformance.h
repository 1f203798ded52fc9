// The GPU CNN trainer against the CPU's, shared by test_cuda_emulated_cnn_train (host emulation)
// and test_cuda_device_cnn (a real GPU, cuDNN): the same network from the same initial weights
// over the same batches (one-hot or soft targets), losses and weights compared within a tolerance.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "cnn_gpu.h"
#include "core/blas_kernels.h"
#include "gpu_api.h"
#include "nn/cnn/cnn_spec.h"
#include "nn/cnn/cnn_trainer.h"

namespace audify::test {

using nn::cnn::Sequential;
using nn::cnn::Tensor;

struct CnnRun {
  nn::cnn::CnnSpec spec;
  nn::AdamHyper hyper;
  nn::cnn::SgdMomentum sgd;
  int batch = 2;
  int steps = 3;
  bool soft_targets = false;  // step_soft on mixup-like targets (two classes blended per row)
};

// Trains both for run.steps steps and compares every step's loss (relative loss_tol) and, at the
// end, every weight and batch-norm statistic (absolute weight_tol).
inline void expect_cnn_trainers_agree(gpu::GpuApi& api, const CnnRun& run, double loss_tol,
                                      double weight_tol) {
  set_blas_threads(1);  // BLAS threads only wait for each other at these small batches
  Sequential cpu_net = nn::cnn::make_cnn(run.spec, 42);
  Sequential gpu_net = nn::cnn::make_cnn(run.spec, 42);
  nn::cnn::CnnTrainer cpu(cpu_net, run.hyper, 7, run.sgd);
  gpu::CnnGpu gpu_trainer(api, gpu_net, run.batch, run.hyper, 7, run.sgd);
  gpu::DeviceArray<float> images(api);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int step = 0; step < run.steps; ++step) {
    Tensor x({run.batch, 1, run.spec.bands, run.spec.frames});
    for (float& v : x.data) v = normal(rng);
    std::vector<int> labels;
    std::vector<float> targets(static_cast<std::size_t>(run.batch) * run.spec.classes, 0.0f);
    for (int i = 0; i < run.batch; ++i) {
      labels.push_back((step * run.batch + i) % run.spec.classes);
      const float lambda = 0.3f + 0.1f * static_cast<float>(i % 5);
      targets[static_cast<std::size_t>(i) * run.spec.classes + labels.back()] += lambda;
      targets[static_cast<std::size_t>(i) * run.spec.classes +
              (labels.back() + 1) % run.spec.classes] += 1 - lambda;
    }
    const nn::XentResult want = run.soft_targets ? cpu.step_soft(x, targets) : cpu.step(x, labels);
    images.upload(x.data.data(), x.data.size());
    const nn::XentResult got = run.soft_targets
                                   ? gpu_trainer.step_soft(images.get(), run.batch, targets)
                                   : gpu_trainer.step(images.get(), run.batch, labels);
    EXPECT_NEAR(got.loss_sum, want.loss_sum, loss_tol * (1 + std::abs(want.loss_sum)))
        << "step " << step;
    EXPECT_EQ(got.correct, want.correct) << "step " << step;
  }
  EXPECT_EQ(gpu_trainer.steps(), cpu.steps());
  gpu_trainer.download();
  const auto want = cpu_net.state();
  const auto got = gpu_net.state();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t t = 0; t < want.size(); ++t) {
    const std::vector<float>& a = *got[t].second;
    const std::vector<float>& b = *want[t].second;
    ASSERT_EQ(a.size(), b.size()) << want[t].first;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
    EXPECT_LE(worst, weight_tol) << want[t].first;
  }
}

// A whole SB-CNN at its real shapes (128 x 128 inputs), Adam.
inline CnnRun sb_cnn_run() {
  CnnRun run;
  run.spec = nn::cnn::sb_cnn_spec(128, 128, 10);
  run.batch = 3;
  return run;
}

// Batch norm, strides, dropout 0.25 and SGD with momentum and weight decay on a small network.
inline CnnRun batch_norm_sgd_run() {
  CnnRun run;
  run.spec.bands = 20;
  run.spec.frames = 24;
  run.spec.classes = 4;
  run.spec.conv = {nn::cnn::parse_conv_block("6x3x3+bn+pool2x2", "test"),
                   nn::cnn::parse_conv_block("5x3x3+stride2x1+bn", "test")};
  run.spec.dense = {7};
  run.spec.dropout = 0.25;
  run.hyper.lr = 0.05;
  run.hyper.weight_decay = 1e-3;
  run.sgd.enabled = true;
  run.batch = 4;
  run.steps = 4;
  return run;
}

// The batch-norm network on soft targets (mixup's loss). SGD, as under Adam the conv biases before
// batch norm (whose gradient is float noise around 0) take full-size steps in noise's direction.
inline CnnRun soft_target_run() {
  CnnRun run = batch_norm_sgd_run();
  run.soft_targets = true;
  return run;
}

}  // namespace audify::test
