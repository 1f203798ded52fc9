// The training benchmarks: CPU threads, one model per thread; or the device trainer, models
// trained together.
#include "bench/train_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "core/matrix.h"
#include "features/extract.h"
#include "nn/mlp.h"
#include "nn/train_backend.h"
#include "nn/trainer.h"

namespace audify {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRows = 8732, kInputs = 40, kClasses = 10, kBatch = 50;

// Gaussian blobs of MFCC-like scale, one per class, with heavy overlap.
void make_table(Matrix& x, std::vector<int>& labels) {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 20.0f);
  std::vector<float> centres(kClasses * kInputs);
  for (float& c : centres) c = noise(rng);
  x = Matrix(kRows, kInputs);
  labels.resize(kRows);
  for (int r = 0; r < kRows; ++r) {
    labels[r] = r % kClasses;
    for (int c = 0; c < kInputs; ++c) x(r, c) = centres[labels[r] * kInputs + c] + noise(rng);
  }
}

// Steps/s of one model training on consecutive batches of the table.
double steps_per_second(const Matrix& x, const std::vector<int>& labels, int steps,
                        std::uint64_t seed) {
  nn::Mlp model(nn::MlpConfig{}, seed);
  nn::TrainConfig cfg;
  cfg.seed = seed;
  nn::Trainer trainer(model, cfg, kBatch);
  for (int s = 0; s < 200; ++s)
    trainer.step(x.row(0).data(), kBatch, {labels.data(), kBatch});  // warm-up
  const auto t0 = Clock::now();
  for (int s = 0; s < steps; ++s) {
    const int start = (s * kBatch) % (kRows - kBatch);
    trainer.step(x.row(start).data(), kBatch, {labels.data() + start, kBatch});
  }
  return steps / std::chrono::duration<double>(Clock::now() - t0).count();
}

// Fold `fold` of 10 by (row / classes) modulo 10, so every fold holds every class.
struct Fold {
  Matrix train_x{0, kInputs}, test_x{0, kInputs};
  std::vector<int> train_y, test_y;
};
Fold make_fold(const Matrix& x, const std::vector<int>& labels, int fold) {
  Fold f;
  for (int r = 0; r < kRows; ++r) {
    const bool test = (r / kClasses) % 10 == fold;
    Matrix& dst = test ? f.test_x : f.train_x;
    dst.data.insert(dst.data.end(), x.row(r).begin(), x.row(r).end());
    ++dst.rows;
    (test ? f.test_y : f.train_y).push_back(labels[r]);
  }
  return f;
}

double accuracy_of(const nn::Mlp& model, const Fold& f) {
  const std::vector<int> predicted = model.predict(f.test_x);
  int correct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == f.test_y[i];
  return static_cast<double>(correct) / static_cast<double>(f.test_y.size());
}

// Seconds to train `models` seed MLPs together on the whole table for `epochs` epochs.
double device_fit_seconds(nn::DeviceTrainer& trainer, const Matrix& x,
                          const std::vector<int>& labels, int models, int epochs) {
  std::vector<nn::Mlp> mlps;
  std::vector<nn::FitJob> jobs;
  for (int m = 0; m < models; ++m) mlps.emplace_back(nn::MlpConfig{}, 100 + m);
  for (int m = 0; m < models; ++m) {
    nn::TrainConfig cfg;
    cfg.epochs = epochs;
    cfg.seed = static_cast<std::uint64_t>(100 + m);
    jobs.push_back({&mlps[m], &x, labels, cfg, {}});
  }
  const auto t0 = Clock::now();
  trainer.fit_many(jobs);
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

TrainBenchResult run_train_bench(const TrainBenchOptions& options) {
  Matrix x;
  std::vector<int> labels;
  make_table(x, labels);
  TrainBenchResult result;
  result.threads = resolve_threads(options.threads);
  result.steps_per_second_1 = steps_per_second(x, labels, options.steps, 1);

  std::vector<double> rates(result.threads);
  {
    std::vector<std::jthread> pool;
    for (int t = 0; t < result.threads; ++t)
      pool.emplace_back([&, t] { rates[t] = steps_per_second(x, labels, options.steps, 100 + t); });
  }
  for (double r : rates) result.steps_per_second_all += r;

  if (!options.cross_validation) return result;
  // Folds by (row / classes) modulo 10, so every fold holds every class; trained with fit() as the
  // runner does, folds spread over threads.
  std::vector<double> accuracy(10);
  std::atomic<int> next{0};
  const auto t0 = Clock::now();
  {
    std::vector<std::jthread> pool;
    for (int t = 0; t < result.threads; ++t)
      pool.emplace_back([&] {
        for (int fold; (fold = next.fetch_add(1)) < 10;) {
          const Fold f = make_fold(x, labels, fold);
          nn::Mlp model(nn::MlpConfig{}, fold);
          nn::TrainConfig cfg;
          cfg.epochs = options.cv_epochs;
          cfg.seed = static_cast<std::uint64_t>(fold);
          nn::fit(model, f.train_x, f.train_y, cfg);
          accuracy[fold] = accuracy_of(model, f);
        }
      });
  }
  result.cv_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (double a : accuracy) result.cv_mean_accuracy += a / 10.0;
  return result;
}

DeviceTrainBenchResult run_device_train_bench(const TrainBenchOptions& options) {
  const std::unique_ptr<nn::DeviceTrainer> trainer = nn::make_device_trainer();
  Matrix x;
  std::vector<int> labels;
  make_table(x, labels);
  DeviceTrainBenchResult result;
  result.backend = std::string(trainer->name());
  result.models = std::max(1, options.models);
  constexpr int kStepsPerEpoch = (kRows + kBatch - 1) / kBatch;
  const int epochs = std::max(1, options.steps / kStepsPerEpoch);
  const double steps = static_cast<double>(epochs) * kStepsPerEpoch;
  device_fit_seconds(*trainer, x, labels, 1, 1);  // warm-up: handles, graph capture, clocks
  result.steps_per_second_1 = steps / device_fit_seconds(*trainer, x, labels, 1, epochs);
  result.steps_per_second_many =
      result.models * steps / device_fit_seconds(*trainer, x, labels, result.models, epochs);
  if (!options.cross_validation) return result;

  std::vector<Fold> folds;
  std::vector<nn::Mlp> models;
  std::vector<nn::FitJob> jobs;
  for (int fold = 0; fold < 10; ++fold) {
    folds.push_back(make_fold(x, labels, fold));
    models.emplace_back(nn::MlpConfig{}, fold);
  }
  for (int fold = 0; fold < 10; ++fold) {
    nn::TrainConfig cfg;
    cfg.epochs = options.cv_epochs;
    cfg.seed = static_cast<std::uint64_t>(fold);
    jobs.push_back({&models[fold], &folds[fold].train_x, folds[fold].train_y, cfg, {}});
  }
  const auto t0 = Clock::now();
  trainer->fit_many(jobs);
  result.cv_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (int fold = 0; fold < 10; ++fold)
    result.cv_mean_accuracy += accuracy_of(models[fold], folds[fold]) / 10.0;
  return result;
}

}  // namespace audify
