#include "nn/epoch_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "core/philox.h"

namespace audify::nn {

std::pair<double, double> probability_loss_accuracy(const Matrix& p, std::span<const int> labels) {
  double loss = 0.0;
  long correct = 0;
  for (std::size_t r = 0; r < p.rows; ++r) {
    const int y = labels[r];
    const auto row = p.row(r);
    loss -= std::log(std::clamp(static_cast<double>(row[y]), 1e-7, 1.0 - 1e-7));
    correct += (std::max_element(row.begin(), row.end()) - row.begin()) == y ? 1 : 0;
  }
  const auto n = static_cast<double>(std::max<std::size_t>(p.rows, 1));
  return {loss / n, static_cast<double>(correct) / n};
}

std::size_t training_rows(std::size_t rows, double validation_fraction) {
  return static_cast<std::size_t>(static_cast<double>(rows) * (1.0 - validation_fraction));
}

std::size_t batch_rows(const TrainConfig& cfg, std::size_t n_train) {
  return std::min<std::size_t>(static_cast<std::size_t>(cfg.batch_size), n_train);
}

void shuffle_for_epoch(std::vector<uint32_t>& order, const TrainConfig& cfg, int epoch) {
  if (!cfg.shuffle || order.size() < 2) return;
  PhiloxStream rng(cfg.seed, RandomStream::kShuffle, static_cast<uint32_t>(epoch));
  for (std::size_t i = order.size() - 1; i > 0; --i)
    std::swap(order[i], order[rng.below(static_cast<uint32_t>(i + 1))]);
}

void set_train_stats(EpochStats& st, const XentResult& sums, std::size_t n_train) {
  st.loss = sums.loss_sum / static_cast<double>(n_train);
  st.train_accuracy = static_cast<double>(sums.correct) / static_cast<double>(n_train);
}

TrainHistory run_epochs(const TrainConfig& cfg, std::size_t n_train, const EpochLoopHooks& hooks,
                        const EpochCallback& on_epoch) {
  const std::size_t batch = batch_rows(cfg, n_train);
  std::vector<uint32_t> order(n_train);
  std::iota(order.begin(), order.end(), 0u);
  TrainHistory history;
  double best_val = std::numeric_limits<double>::infinity();
  int wait = 0;
  const bool early_stopping = cfg.early_stopping_patience > 0 && hooks.validate;
  for (int epoch = 1; epoch <= cfg.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    shuffle_for_epoch(order, cfg, epoch);
    XentResult sums;
    for (std::size_t start = 0; start < n_train; start += batch) {
      const std::size_t rows = std::min(batch, n_train - start);
      const XentResult r =
          hooks.train_batch(std::span<const uint32_t>(order.data() + start, rows), epoch);
      sums.loss_sum += r.loss_sum;
      sums.correct += r.correct;
    }
    EpochStats st;
    st.epoch = epoch;
    set_train_stats(st, sums, n_train);
    if (hooks.steps) st.steps = hooks.steps();
    if (hooks.validate) std::tie(st.val_loss, st.val_accuracy) = hooks.validate();
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    history.epochs.push_back(st);
    if (on_epoch) on_epoch(st);
    if (early_stopping) {
      if (st.val_loss < best_val) {
        best_val = st.val_loss;
        history.best_epoch = epoch;
        hooks.keep_best();
        wait = 0;
      } else if (++wait >= cfg.early_stopping_patience) {
        history.stopped_early = true;
        break;
      }
    }
  }
  if (early_stopping && history.best_epoch > 0)
    hooks.restore_best();
  else
    history.best_epoch = static_cast<int>(history.epochs.size());
  return history;
}

}  // namespace audify::nn
