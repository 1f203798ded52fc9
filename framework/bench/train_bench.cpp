#include "bench/train_bench.h"

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "core/matrix.h"
#include "features/extract.h"
#include "nn/mlp.h"
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
          Matrix train_x(0, kInputs), test_x(0, kInputs);
          std::vector<int> train_y, test_y;
          for (int r = 0; r < kRows; ++r) {
            const bool test = (r / kClasses) % 10 == fold;
            Matrix& dst = test ? test_x : train_x;
            dst.data.insert(dst.data.end(), x.row(r).begin(), x.row(r).end());
            ++dst.rows;
            (test ? test_y : train_y).push_back(labels[r]);
          }
          nn::Mlp model(nn::MlpConfig{}, fold);
          nn::TrainConfig cfg;
          cfg.epochs = options.cv_epochs;
          cfg.seed = static_cast<std::uint64_t>(fold);
          nn::fit(model, train_x, train_y, cfg);
          const std::vector<int> predicted = model.predict(test_x);
          int correct = 0;
          for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == test_y[i];
          accuracy[fold] = static_cast<double>(correct) / static_cast<double>(test_y.size());
        }
      });
  }
  result.cv_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (double a : accuracy) result.cv_mean_accuracy += a / 10.0;
  return result;
}

}  // namespace audify
