// nn::fit (declared in nn/trainer.h): checks, validation split, standardisation and batch gathering
// around the shared epoch loop (nn/epoch_loop.h).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "nn/epoch_loop.h"
#include "nn/trainer.h"

namespace audify::nn {

void check_train_config(const TrainConfig& cfg) {
  if (cfg.epochs < 0) fail("train.epochs must not be negative, got {}", cfg.epochs);
  if (cfg.batch_size <= 0) fail("train.batch_size must be positive, got {}", cfg.batch_size);
  if (!(cfg.lr > 0)) fail("train.lr must be positive, got {}", cfg.lr);
  if (!(cfg.beta1 >= 0 && cfg.beta1 < 1)) fail("train.beta1 must lie in [0, 1), got {}", cfg.beta1);
  if (!(cfg.beta2 >= 0 && cfg.beta2 < 1)) fail("train.beta2 must lie in [0, 1), got {}", cfg.beta2);
  if (!(cfg.eps > 0)) fail("train.eps must be positive, got {}", cfg.eps);
  if (!(cfg.weight_decay >= 0))
    fail("train.weight_decay must not be negative, got {}", cfg.weight_decay);
  if (!(cfg.validation_fraction >= 0 && cfg.validation_fraction < 1))
    fail("train.validation_fraction must lie in [0, 1), got {}", cfg.validation_fraction);
  if (cfg.early_stopping_patience < 0)
    fail("train.early_stopping_patience must not be negative, got {}", cfg.early_stopping_patience);
  if (cfg.optimizer != "adam" && cfg.optimizer != "sgd")
    fail("train.optimizer: '{}' is not one of adam, sgd", cfg.optimizer);
  if (!(cfg.momentum >= 0 && cfg.momentum < 1))
    fail("train.momentum must lie in [0, 1), got {}", cfg.momentum);
  if (cfg.early_stopping_patience > 0 && cfg.validation_fraction <= 0)
    fail("train.early_stopping_patience needs train.validation_fraction > 0");
  if (cfg.average_epochs < 0 || cfg.average_epochs > cfg.epochs)
    fail("train.average_epochs must lie in [0, train.epochs = {}], got {}", cfg.epochs,
         cfg.average_epochs);
  if (cfg.average_epochs > 0 && cfg.early_stopping_patience > 0)
    fail(
        "train.average_epochs and train.early_stopping_patience both choose the final weights: set "
        "one of them to 0");
}

// Population mean and deviation per column (a constant column gets deviation 1).
void fit_standardization(Mlp& model, const Matrix& x, std::size_t rows) {
  std::vector<double> sum(x.cols, 0.0), sq(x.cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < x.cols; ++c) sum[c] += x(r, c);
  std::vector<float> mean(x.cols), sd(x.cols);
  for (std::size_t c = 0; c < x.cols; ++c) mean[c] = static_cast<float>(sum[c] / rows);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < x.cols; ++c) {
      const double d = x(r, c) - mean[c];
      sq[c] += d * d;
    }
  for (std::size_t c = 0; c < x.cols; ++c) {
    const double s = std::sqrt(sq[c] / rows);
    sd[c] = s > 0 ? static_cast<float>(s) : 1.0f;
  }
  model.set_standardization(std::move(mean), std::move(sd));
}

namespace {

struct Snapshot {
  std::vector<std::vector<float>> wt, b;
};
Snapshot take(const Mlp& m) {
  Snapshot s;
  for (int l = 0; l < m.num_layers(); ++l) {
    s.wt.push_back(m.wt(l));
    s.b.push_back(m.b(l));
  }
  return s;
}
void restore(Mlp& m, const Snapshot& s) {
  for (int l = 0; l < m.num_layers(); ++l) {
    m.wt(l) = s.wt[l];
    m.b(l) = s.b[l];
  }
}

}  // namespace

TrainHistory fit(Mlp& model, const Matrix& x, std::span<const int> labels, const TrainConfig& cfg,
                 const EpochCallback& on_epoch) {
  check_train_config(cfg);
  if (cfg.optimizer != "adam")
    fail("train.optimizer = \"{}\": the MLP trains with Adam", cfg.optimizer);
  if (cfg.average_epochs != 0)
    fail("train.average_epochs = {}: the MLP keeps its last epoch's weights", cfg.average_epochs);
  const int classes = model.config().classes;
  if (x.cols != static_cast<std::size_t>(model.config().inputs))
    fail("fit: the model takes {} features, the data has {}", model.config().inputs, x.cols);
  if (labels.size() != x.rows) fail("fit: {} rows but {} labels", x.rows, labels.size());
  for (int y : labels)
    if (y < 0 || y >= classes) fail("fit: label {} outside [0, {})", y, classes);
  const std::size_t n_train = training_rows(x.rows, cfg.validation_fraction);
  if (n_train == 0) fail("fit: no training rows");
  const bool has_val = n_train < x.rows;

  if (cfg.standardize) fit_standardization(model, x, n_train);
  Matrix xs = x;  // standardised copy: batches are gathered from it
  model.standardize_rows(xs);
  Matrix x_val;
  if (has_val) {
    x_val = Matrix(x.rows - n_train, x.cols);
    std::copy(x.data.begin() + static_cast<long>(n_train * x.cols), x.data.end(),
              x_val.data.begin());
  }

  blas_single_thread();
  const int batch = static_cast<int>(std::min<std::size_t>(cfg.batch_size, n_train));
  Trainer trainer(model, cfg, batch);
  std::vector<float> xb(static_cast<std::size_t>(batch) * x.cols);
  std::vector<int> yb(batch);
  Snapshot best;

  EpochLoopHooks hooks;
  hooks.train_batch = [&](std::span<const uint32_t> rows, int) {
    for (std::size_t r = 0; r < rows.size(); ++r) {
      std::memcpy(&xb[r * x.cols], &xs.data[rows[r] * x.cols], sizeof(float) * x.cols);
      yb[r] = labels[rows[r]];
    }
    const int n = static_cast<int>(rows.size());
    return trainer.step(xb.data(), n, std::span<const int>(yb.data(), rows.size()));
  };
  if (has_val)
    hooks.validate = [&] {
      return probability_loss_accuracy(model.predict_proba(x_val), labels.subspan(n_train));
    };
  hooks.keep_best = [&] { best = take(model); };
  hooks.restore_best = [&] { restore(model, best); };
  hooks.steps = [&] { return trainer.steps(); };
  return run_epochs(cfg, n_train, hooks, on_epoch);
}

}  // namespace audify::nn
