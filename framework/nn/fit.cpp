// The epoch loop of nn::fit (declared in nn/trainer.h): validation split, standardisation,
// Philox shuffles, batch gathering, statistics, early stopping.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>

#include "core/error.h"
#include "core/philox.h"
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
  if (cfg.early_stopping_patience > 0 && cfg.validation_fraction <= 0)
    fail("train.early_stopping_patience needs train.validation_fraction > 0");
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
  const int classes = model.config().classes;
  if (x.cols != static_cast<std::size_t>(model.config().inputs))
    fail("fit: the model takes {} features, the data has {}", model.config().inputs, x.cols);
  if (labels.size() != x.rows) fail("fit: {} rows but {} labels", x.rows, labels.size());
  for (int y : labels)
    if (y < 0 || y >= classes) fail("fit: label {} outside [0, {})", y, classes);
  const auto n_train =
      static_cast<std::size_t>(static_cast<double>(x.rows) * (1.0 - cfg.validation_fraction));
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
  std::vector<uint32_t> order(n_train);
  std::iota(order.begin(), order.end(), 0u);
  std::vector<float> xb(static_cast<std::size_t>(batch) * x.cols);
  std::vector<int> yb(batch);

  TrainHistory history;
  double best_val = std::numeric_limits<double>::infinity();
  int wait = 0;
  Snapshot best;
  for (int epoch = 1; epoch <= cfg.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    if (cfg.shuffle) {
      PhiloxStream rng(cfg.seed, RandomStream::kShuffle, static_cast<uint32_t>(epoch));
      for (std::size_t i = n_train - 1; i > 0; --i)
        std::swap(order[i], order[rng.below(static_cast<uint32_t>(i + 1))]);
    }
    double loss_sum = 0.0;
    long correct = 0;
    for (std::size_t start = 0; start < n_train; start += batch) {
      const int rows = static_cast<int>(std::min<std::size_t>(batch, n_train - start));
      for (int r = 0; r < rows; ++r) {
        const uint32_t i = order[start + r];
        std::memcpy(&xb[static_cast<std::size_t>(r) * x.cols], &xs.data[i * x.cols],
                    sizeof(float) * x.cols);
        yb[r] = labels[i];
      }
      const XentResult res = trainer.step(xb.data(), rows, std::span<const int>(yb.data(), rows));
      loss_sum += res.loss_sum;
      correct += res.correct;
    }
    EpochStats st;
    st.epoch = epoch;
    st.loss = loss_sum / static_cast<double>(n_train);
    st.train_accuracy = static_cast<double>(correct) / static_cast<double>(n_train);
    st.steps = trainer.steps();
    if (has_val) {
      const Matrix p = model.predict_proba(x_val);
      double vl = 0.0;
      long vc = 0;
      for (std::size_t r = 0; r < p.rows; ++r) {
        const int y = labels[n_train + r];
        const auto row = p.row(r);
        // Probabilities clipped to [1e-7, 1 - 1e-7] as Keras's probability-space loss does.
        vl -= std::log(std::clamp(static_cast<double>(row[y]), 1e-7, 1.0 - 1e-7));
        vc += (std::max_element(row.begin(), row.end()) - row.begin()) == y ? 1 : 0;
      }
      st.val_loss = vl / static_cast<double>(p.rows);
      st.val_accuracy = static_cast<double>(vc) / static_cast<double>(p.rows);
    }
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    history.epochs.push_back(st);
    if (on_epoch) on_epoch(st);
    if (cfg.early_stopping_patience > 0) {
      if (st.val_loss < best_val) {
        best_val = st.val_loss;
        history.best_epoch = epoch;
        best = take(model);
        wait = 0;
      } else if (++wait >= cfg.early_stopping_patience) {
        history.stopped_early = true;
        break;
      }
    }
  }
  if (cfg.early_stopping_patience > 0 && history.best_epoch > 0) {
    restore(model, best);
  } else {
    history.best_epoch = static_cast<int>(history.epochs.size());
  }
  return history;
}

}  // namespace audify::nn
