// The GPU trainer on a real CUDA device: the CPU's loss curve with dropout off and on, K models
// together each as alone (within float noise: cuBLAS may pick other kernels for a batch), the graph
// replay equal to direct launches, and the registered trainer. Skips, saying why, in builds
// without the CUDA backend or on machines without a usable device.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "cuda_device_support.h"
#include "mlp_gpu.h"
#include "nn/mlp.h"
#include "nn/train_backend.h"
#include "nn/trainer.h"

#ifdef AUDIFY_WITH_CUDA
#include "backend_cuda.h"
#endif

namespace audify {
namespace {

using test::cuda_device_api;
using test::cuda_unavailable_reason;

struct Problem {
  Matrix x;
  std::vector<int> y;
};

Problem blobs(int rows, unsigned seed) {
  constexpr int kInputs = 40, kClasses = 10;
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> centres(kClasses * kInputs);
  for (float& c : centres) c = noise(rng);
  Problem p{Matrix(rows, kInputs), std::vector<int>(rows)};
  for (int r = 0; r < rows; ++r) {
    p.y[r] = static_cast<int>(rng() % kClasses);
    for (int c = 0; c < kInputs; ++c)
      p.x(r, c) = 3.0f * centres[p.y[r] * kInputs + c] + 2.0f * noise(rng);
  }
  return p;
}

nn::MlpConfig shape(double dropout) {
  nn::MlpConfig s;
  s.dropout = dropout;
  return s;
}

nn::TrainConfig config(uint64_t seed, int epochs = 5) {
  nn::TrainConfig c;
  c.epochs = epochs;
  c.batch_size = 32;
  c.seed = seed;
  c.standardize = true;
  return c;
}

class CudaDeviceTrain : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = cuda_unavailable_reason();
    if (!why.empty()) GTEST_SKIP() << "no CUDA device: " << why;
    api_ = cuda_device_api();
  }
  std::vector<nn::TrainHistory> fit(std::vector<nn::Mlp>& models, const std::vector<Problem>& data,
                                    const std::vector<nn::TrainConfig>& cfgs, bool graph = true) {
    std::vector<gpu::FitJob> jobs;
    for (std::size_t i = 0; i < models.size(); ++i)
      jobs.push_back({&models[i], &data[i].x, data[i].y, cfgs[i], {}});
    return gpu::fit_many(*api_, jobs, graph);
  }
  std::unique_ptr<gpu::GpuApi> api_;
};

void expect_close(const nn::TrainHistory& a, const nn::TrainHistory& b, double rel) {
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (std::size_t e = 0; e < a.epochs.size(); ++e)
    EXPECT_NEAR(b.epochs[e].loss, a.epochs[e].loss, rel * std::abs(a.epochs[e].loss)) << e;
}

TEST_F(CudaDeviceTrain, LossCurveMatchesCpu) {
  for (double dropout : {0.0, 0.5}) {
    SCOPED_TRACE("dropout " + std::to_string(dropout));
    const Problem p = blobs(300, 11);
    const nn::TrainConfig cfg = config(7);
    nn::Mlp cpu(shape(dropout), cfg.seed);
    const nn::TrainHistory cpu_h = nn::fit(cpu, p.x, p.y, cfg);
    std::vector<nn::Mlp> dev{nn::Mlp(shape(dropout), cfg.seed)};
    expect_close(cpu_h, fit(dev, {p}, {cfg}).front(), 1e-3);
  }
}

TEST_F(CudaDeviceTrain, ConcurrentModelsMatchTheirLoneRuns) {
  const std::vector<Problem> data{blobs(300, 1), blobs(250, 2), blobs(173, 3)};
  const std::vector<nn::TrainConfig> cfgs{config(1, 3), config(2, 3), config(3, 2)};
  std::vector<nn::Mlp> together;
  for (int i = 0; i < 3; ++i) together.emplace_back(shape(0.5), cfgs[i].seed);
  const auto hist = fit(together, data, cfgs);
  for (int i = 0; i < 3; ++i) {
    std::vector<nn::Mlp> alone{nn::Mlp(shape(0.5), cfgs[i].seed)};
    expect_close(fit(alone, {data[i]}, {cfgs[i]}).front(), hist[i], 1e-4);
  }
}

TEST_F(CudaDeviceTrain, GraphReplayEqualsDirectLaunches) {
  const Problem p = blobs(300, 4);
  const nn::TrainConfig cfg = config(4, 2);
  std::vector<nn::Mlp> a{nn::Mlp(shape(0.5), 4)}, b{nn::Mlp(shape(0.5), 4)};
  const auto with_graph = fit(a, {p}, {cfg}, true);
  const auto direct = fit(b, {p}, {cfg}, false);
  for (std::size_t e = 0; e < direct[0].epochs.size(); ++e)
    EXPECT_EQ(with_graph[0].epochs[e].loss, direct[0].epochs[e].loss) << e;
}

TEST_F(CudaDeviceTrain, RegisteredTrainerIsUsable) {
#ifdef AUDIFY_WITH_CUDA
  cuda::register_cuda_backend();
  std::string why;
  EXPECT_TRUE(nn::device_training_usable(why)) << why;
  EXPECT_EQ(nn::make_device_trainer()->name(), "cuda");
  nn::set_device_trainer_backend({});
#endif
}

}  // namespace
}  // namespace audify
