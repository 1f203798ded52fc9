// The GPU trainer (cuda/mlp_gpu.h) in host emulation against the CPU trainer (nn::fit): the same
// loss curve with dropout off and on (the Philox masks are the same, asserted element by element),
// K models trained together each equal to their lone run, every element written before it is read
// (poisoned memory), device inference equal to the host model's, and the runner's device seam
// (a k-fold run trains its folds in one fit_many pass).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/matrix.h"
#include "data/feature_table.h"
#include "experiment/model_factory.h"
#include "experiment/run_config.h"
#include "experiment/runner.h"
#include "gpu_api.h"
#include "kernels/dense_act.cuh"
#include "mlp_gpu.h"
#include "nn/dropout.h"
#include "nn/mlp.h"
#include "nn/train_backend.h"
#include "nn/trainer.h"
#include "test_support.h"
#include "train_backend_cuda.h"

namespace audify {
namespace {

struct Problem {
  Matrix x;
  std::vector<int> y;
};

// Overlapping Gaussian blobs, MFCC-like in scale: learnable but not in one epoch.
Problem blobs(int rows, int inputs, int classes, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> centres(static_cast<std::size_t>(classes) * inputs);
  for (float& c : centres) c = noise(rng);
  Problem p{Matrix(rows, inputs), std::vector<int>(rows)};
  for (int r = 0; r < rows; ++r) {
    p.y[r] = static_cast<int>(rng() % static_cast<unsigned>(classes));
    for (int c = 0; c < inputs; ++c)
      p.x(r, c) = 3.0f * centres[static_cast<std::size_t>(p.y[r]) * inputs + c] + 2.0f * noise(rng);
  }
  return p;
}

nn::MlpConfig seed_shape(double dropout) {
  nn::MlpConfig shape;  // 40-100-200-100-10, relu: the seed's
  shape.dropout = dropout;
  return shape;
}

nn::TrainConfig train_config(uint64_t seed, int batch = 32, int epochs = 5) {
  nn::TrainConfig cfg;
  cfg.epochs = epochs;
  cfg.batch_size = batch;  // 300 rows: the last batch of each epoch is partial
  cfg.seed = seed;
  cfg.standardize = true;
  return cfg;
}

std::vector<nn::TrainHistory> fit_on(gpu::GpuApi& api, std::vector<nn::Mlp>& models,
                                     const std::vector<Problem>& data,
                                     const std::vector<nn::TrainConfig>& cfgs) {
  std::vector<gpu::FitJob> jobs;
  for (std::size_t i = 0; i < models.size(); ++i)
    jobs.push_back({&models[i], &data[i].x, data[i].y, cfgs[i], {}});
  return gpu::fit_many(api, jobs);
}

void expect_curves_close(const nn::TrainHistory& cpu, const nn::TrainHistory& gpu, double rel) {
  ASSERT_EQ(cpu.epochs.size(), gpu.epochs.size());
  for (std::size_t e = 0; e < cpu.epochs.size(); ++e) {
    SCOPED_TRACE("epoch " + std::to_string(e + 1));
    EXPECT_NEAR(gpu.epochs[e].loss, cpu.epochs[e].loss, rel * std::abs(cpu.epochs[e].loss));
    EXPECT_NEAR(gpu.epochs[e].train_accuracy, cpu.epochs[e].train_accuracy, 0.02);
    EXPECT_EQ(gpu.epochs[e].steps, cpu.epochs[e].steps);
  }
}

void expect_weights_close(const nn::Mlp& a, const nn::Mlp& b, float tol) {
  for (int l = 0; l < a.num_layers(); ++l) {
    const Matrix wa = a.weight(l), wb = b.weight(l);
    double worst = 0;
    for (std::size_t i = 0; i < wa.data.size(); ++i)
      worst = std::max(worst, std::abs(static_cast<double>(wa.data[i]) - wb.data[i]));
    EXPECT_LT(worst, tol) << "layer " << l;
  }
}

void expect_identical(const nn::Mlp& a, const nn::Mlp& b) {
  for (int l = 0; l < a.num_layers(); ++l) {
    EXPECT_EQ(a.wt(l), b.wt(l)) << "layer " << l;
    EXPECT_EQ(a.b(l), b.b(l)) << "layer " << l;
  }
}

void expect_curve_parity(double dropout) {
  const Problem p = blobs(300, 40, 10, 11);
  const nn::TrainConfig cfg = train_config(7);
  nn::Mlp cpu(seed_shape(dropout), cfg.seed);
  const nn::TrainHistory cpu_h = nn::fit(cpu, p.x, p.y, cfg);
  std::vector<nn::Mlp> gpu{nn::Mlp(seed_shape(dropout), cfg.seed)};
  auto api = gpu::make_emulated_api();
  const auto gpu_h = fit_on(*api, gpu, {p}, {cfg});
  expect_curves_close(cpu_h, gpu_h.front(), 1e-3);
  expect_weights_close(cpu, gpu.front(), 1e-3f);
  // The loss really moved: a curve equal by accident of not training would prove little.
  EXPECT_LT(cpu_h.epochs.back().loss, 0.8 * cpu_h.epochs.front().loss);
}

TEST(CudaEmulatedTrain, DropoutOffLossCurveMatchesCpu) {
  expect_curve_parity(0.0);
}

TEST(CudaEmulatedTrain, DropoutOnLossCurveMatchesCpu) {
  expect_curve_parity(0.5);
}

// The fused forward kernel draws, element by element, the mask nn::fill_dropout_scale draws.
TEST(CudaEmulatedTrain, DropoutMaskEqualsCpuMask) {
  auto api = gpu::make_emulated_api();
  constexpr int kWidth = 37, kBatch = 13, kModels = 2;
  constexpr long long kParams = kWidth;  // only a bias
  const std::size_t n = static_cast<std::size_t>(kModels) * kBatch * kWidth;
  gpu::DeviceArray<float> z(*api), pre(*api), scale(*api), params(*api);
  gpu::DeviceArray<gpu::ModelStep> steps(*api);
  const std::vector<float> ones(n, 1.0f), zeros(kModels * kParams, 0.0f);
  z.upload(ones.data(), n);
  params.upload(zeros.data(), zeros.size());
  pre.grow(n);
  scale.grow(n);
  std::vector<gpu::ModelStep> host(kModels);
  for (int m = 0; m < kModels; ++m) {
    host[m].seed = 1234 + m;
    host[m].drop_threshold = nn::dropout_threshold(0.3);
    host[m].drop_scale = static_cast<float>(1.0 / 0.7);
    host[m].step = 5 + m;
  }
  steps.upload(host.data(), host.size());
  api->launch(gpu::BiasActDropoutKernel{z.get(), pre.get(), scale.get(), params.get(), kParams, 0,
                                        steps.get(), nn::Activation::kRelu, kWidth, kBatch, 2},
              gpu::BiasActDropoutKernel::shape(kWidth, kBatch, kModels));
  std::vector<float> expected(static_cast<std::size_t>(kBatch) * kWidth);
  int dropped = 0;
  for (int m = 0; m < kModels; ++m) {
    nn::fill_dropout_scale(host[m].seed, host[m].step, 2, 0.3, kBatch * kWidth, expected.data());
    for (std::size_t e = 0; e < expected.size(); ++e) {
      ASSERT_EQ(scale.get()[m * expected.size() + e], expected[e]) << "model " << m << " @" << e;
      dropped += expected[e] == 0.0f;
    }
  }
  EXPECT_GT(dropped, 0);
}

// Three models with their own data, sizes, seeds and learning rates, trained in one pass, each
// bit-for-bit what it gets alone (the emulation's strided batch is independent gemms).
TEST(CudaEmulatedTrain, ConcurrentModelsEqualTheirLoneRuns) {
  const std::vector<Problem> data{blobs(300, 40, 10, 1), blobs(250, 40, 10, 2),
                                  blobs(173, 40, 10, 3)};
  std::vector<nn::TrainConfig> cfgs{train_config(1, 32, 3), train_config(2, 32, 3),
                                    train_config(3, 32, 2)};
  cfgs[1].lr = 2e-3;
  cfgs[2].shuffle = false;
  const std::vector<double> rates{0.5, 0.0, 0.2};
  auto api = gpu::make_emulated_api();
  std::vector<nn::Mlp> together;
  for (int i = 0; i < 3; ++i) together.emplace_back(seed_shape(rates[i]), cfgs[i].seed);
  const auto hist = fit_on(*api, together, data, cfgs);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE("model " + std::to_string(i));
    std::vector<nn::Mlp> alone{nn::Mlp(seed_shape(rates[i]), cfgs[i].seed)};
    const auto lone = fit_on(*api, alone, {data[i]}, {cfgs[i]});
    ASSERT_EQ(hist[i].epochs.size(), lone[0].epochs.size());
    for (std::size_t e = 0; e < lone[0].epochs.size(); ++e) {
      EXPECT_EQ(hist[i].epochs[e].loss, lone[0].epochs[e].loss);
      EXPECT_EQ(hist[i].epochs[e].steps, lone[0].epochs[e].steps);
    }
    expect_identical(together[i], alone[0]);
  }
}

// With every allocation and memset filled with NaN, training gives the clean run's result.
TEST(CudaEmulatedTrain, PoisonedMemoryIsFullyOverwritten) {
  const Problem p = blobs(120, 40, 10, 5);
  const nn::TrainConfig cfg = train_config(9, 50, 2);
  std::vector<nn::Mlp> clean{nn::Mlp(seed_shape(0.5), cfg.seed)};
  std::vector<nn::Mlp> poisoned{nn::Mlp(seed_shape(0.5), cfg.seed)};
  auto api = gpu::make_emulated_api();
  auto poison = gpu::make_poisoned_emulated_api();
  const auto a = fit_on(*api, clean, {p}, {cfg});
  const auto b = fit_on(*poison, poisoned, {p}, {cfg});
  for (std::size_t e = 0; e < a[0].epochs.size(); ++e) {
    EXPECT_TRUE(std::isfinite(b[0].epochs[e].loss));
    EXPECT_EQ(a[0].epochs[e].loss, b[0].epochs[e].loss);
  }
  expect_identical(clean[0], poisoned[0]);
}

TEST(CudaEmulatedTrain, DevicePredictEqualsHostModel) {
  const Problem p = blobs(70, 40, 10, 8);
  nn::Mlp model(seed_shape(0.5), 3);
  auto api = gpu::make_poisoned_emulated_api();
  gpu::MlpGpu gpu(*api, model.config(), 2, 16);
  gpu.upload(1, model, nn::TrainConfig{});
  const Matrix host = model.predict_proba(p.x);
  const Matrix device = gpu.predict_proba(1, p.x);
  ASSERT_EQ(device.rows, host.rows);
  for (std::size_t i = 0; i < host.data.size(); ++i)
    EXPECT_NEAR(device.data[i], host.data[i], 1e-5f) << i;
}

TEST(CudaEmulatedTrain, RejectsMixedShapes) {
  auto api = gpu::make_emulated_api();
  nn::MlpConfig small = seed_shape(0.0);
  small.hidden = {8};
  gpu::MlpGpu gpu(*api, seed_shape(0.0), 1, 8);
  EXPECT_THROW(gpu.upload(0, nn::Mlp(small, 1), nn::TrainConfig{}), Error);
}

// The seam the runner uses: a registered device trainer gives nn::fit's history.
TEST(CudaEmulatedTrain, DeviceTrainerBackendTrainsLikeFit) {
  std::string why;
  nn::set_device_trainer_backend({});
  EXPECT_FALSE(nn::device_training_usable(why));
  EXPECT_NE(why.find("without the CUDA backend"), std::string::npos) << why;
  EXPECT_THROW(nn::make_device_trainer(), Error);
  nn::set_device_trainer_backend({[](std::string&) { return true; },
                                  [] { return gpu::make_gpu_trainer(gpu::make_emulated_api()); }});
  ASSERT_TRUE(nn::device_training_usable(why));
  const Problem p = blobs(100, 40, 10, 4);
  const nn::TrainConfig cfg = train_config(5, 50, 2);
  nn::Mlp cpu(seed_shape(0.0), 5), dev(seed_shape(0.0), 5);
  const nn::TrainHistory a = nn::fit(cpu, p.x, p.y, cfg);
  int calls = 0;
  const nn::TrainHistory b =
      nn::make_device_trainer()->fit(dev, p.x, p.y, cfg, [&](const nn::EpochStats&) { ++calls; });
  EXPECT_EQ(calls, 2);
  expect_curves_close(a, b, 1e-3);
  nn::TrainConfig with_val = cfg;
  with_val.validation_fraction = 0.2;
  EXPECT_THROW(nn::make_device_trainer()->fit(dev, p.x, p.y, with_val, {}), Error);
  nn::set_device_trainer_backend({});
}

// The runner's path: device=cuda makes the mlp train on the registered device trainer, with the
// CPU's curve; without one, cuda is an error saying why and auto stays on the CPU.
TEST(CudaEmulatedTrain, RunnerTrainsTheMlpOnTheDeviceTrainer) {
  const Problem p = blobs(150, 40, 10, 6);
  RunConfig c;
  c.train.epochs = 3;
  c.train.batch_size = 32;
  c.model.mlp.dropout = 0.5;
  const auto losses = [&](const RunConfig& config) {
    std::vector<double> out;
    make_model(config, 40, 10)
        ->fit(Examples::of_rows(p.x), p.y,
              [&](const EpochReport& e, const RunModel&) { out.push_back(e.loss); });
    return out;
  };
  c.device = "cpu";
  const std::vector<double> cpu = losses(c);
  cuda::register_emulated_trainer();
  c.device = "cuda";
  EXPECT_EQ(c.resolved_device(), "cuda");
  const std::vector<double> gpu = losses(c);
  ASSERT_EQ(gpu.size(), cpu.size());
  for (std::size_t e = 0; e < cpu.size(); ++e) EXPECT_NEAR(gpu[e], cpu[e], 1e-3 * cpu[e]) << e;
  nn::set_device_trainer_backend({});
  EXPECT_THROW((void)c.resolved_device(), Error);
  c.device = "auto";
  EXPECT_EQ(c.resolved_device(), "cpu");
}

// The emulated trainer, recording the size of every fit_many call (a backend's make is a plain
// function pointer, hence the static record).
class RecordingTrainer final : public nn::DeviceTrainer {
 public:
  static inline std::vector<std::size_t> calls;
  std::string_view name() const override { return inner_->name(); }
  std::vector<nn::TrainHistory> fit_many(std::span<nn::FitJob> jobs) override {
    calls.push_back(jobs.size());
    return inner_->fit_many(jobs);
  }

 private:
  std::unique_ptr<nn::DeviceTrainer> inner_ = gpu::make_gpu_trainer(gpu::make_emulated_api());
};

// A k-fold run with device=cuda trains all its folds in one fit_many call, and each fold ends
// with the CPU run's test accuracy and (within float noise) its loss curve.
TEST(CudaEmulatedTrain, RunnerTrainsKfoldFoldsTogether) {
  test::TempDir dir("kfold_together");
  const Problem p = blobs(240, 40, 10, 12);
  FeatureTable table;
  for (int c = 0; c < 40; ++c) table.columns.push_back("f" + std::to_string(c));
  for (std::size_t r = 0; r < p.y.size(); ++r) {
    FeatureRow row;
    row.class_id = p.y[r];
    row.class_name = "class" + std::to_string(p.y[r]);
    row.fs_id = static_cast<int>(r);
    row.fold = static_cast<int>(r % 4) + 1;
    row.slice_file_name = "clip" + std::to_string(r) + ".wav";
    const auto values = p.x.row(r);
    row.values.assign(values.begin(), values.end());
    table.rows.push_back(std::move(row));
  }
  write_feature_table(dir.path() / "blobs.csv", table);
  const auto run = [&](const std::string& device) {
    RunRequest req;
    req.config.device = device;
    req.config.data.features = (dir.path() / "blobs.csv").string();
    req.config.split.kind = SplitKind::kfold;
    req.config.train.epochs = 3;
    req.config.train.batch_size = 32;
    req.run_dir = dir.path() / device;
    req.progress = false;
    std::filesystem::create_directories(req.run_dir);
    return run_experiment(req);
  };
  const nlohmann::json cpu = run("cpu");
  nn::set_device_trainer_backend({[](std::string&) { return true; },
                                  []() -> std::unique_ptr<nn::DeviceTrainer> {
                                    return std::make_unique<RecordingTrainer>();
                                  }});
  RecordingTrainer::calls.clear();
  const nlohmann::json gpu = run("cuda");
  nn::set_device_trainer_backend({});
  EXPECT_EQ(RecordingTrainer::calls, std::vector<std::size_t>{4});
  ASSERT_EQ(gpu["folds"].size(), 4u);
  ASSERT_EQ(cpu["folds"].size(), 4u);
  for (std::size_t f = 0; f < 4; ++f) {
    SCOPED_TRACE("fold " + std::to_string(f + 1));
    EXPECT_EQ(gpu["folds"][f]["name"], cpu["folds"][f]["name"]);
    EXPECT_NEAR(gpu["folds"][f]["test_accuracy"].get<double>(),
                cpu["folds"][f]["test_accuracy"].get<double>(), 1e-12);
  }
  // The device run really trained: well above chance on these blobs.
  EXPECT_GT(gpu["test"]["accuracy"].get<double>(), 0.3);
  EXPECT_EQ(gpu["device"], "cuda");
}

}  // namespace
}  // namespace audify
