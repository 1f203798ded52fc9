// The epoch schedule every trainer shares, Keras fit() semantics: each epoch a Philox shuffle of
// the training rows (RandomStream::kShuffle, counter = epoch), batches of batch_size with the last
// partial one kept, running loss and accuracy, an optional validation pass, and early stopping on
// validation loss that restores the best epoch's weights. The trainer supplies the batch step and
// the weights' snapshot; nn::fit (MLP) and the CNN trainer both run through here.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "core/matrix.h"
#include "nn/softmax_xent.h"
#include "nn/trainer.h"

namespace audify::nn {

struct EpochLoopHooks {
  // One optimizer step on these training rows (indices in [0, n_train)), in this epoch's order.
  std::function<XentResult(std::span<const uint32_t> rows, int epoch)> train_batch;
  // (loss, accuracy) on the validation rows; unset when there are none.
  std::function<std::pair<double, double>()> validate;
  std::function<void()> keep_best;     // remember the current weights as the best so far
  std::function<void()> restore_best;  // put them back
  std::function<int64_t()> steps;      // optimizer steps so far, for EpochStats
};

// The pieces of the schedule, for trainers that run it their own way (the GPU trainers step many
// models in lockstep) and must keep to it exactly:
// rows per batch (the last batch of an epoch may be shorter);
std::size_t batch_rows(const TrainConfig& cfg, std::size_t n_train);
// the epoch's row order: Fisher-Yates over the previous epoch's order with Philox(seed,
// kShuffle, epoch), left alone without cfg.shuffle;
void shuffle_for_epoch(std::vector<uint32_t>& order, const TrainConfig& cfg, int epoch);
// the epoch's training loss and accuracy from the summed batch results.
void set_train_stats(EpochStats& st, const XentResult& sums, std::size_t n_train);

// Runs cfg.epochs epochs (or fewer when early stopping ends them) over n_train rows.
TrainHistory run_epochs(const TrainConfig& cfg, std::size_t n_train, const EpochLoopHooks& hooks,
                        const EpochCallback& on_epoch);

// Validation (loss, accuracy) of probabilities p (rows, classes) against labels: the mean of
// -log p[label] with p clipped to [1e-7, 1 - 1e-7] (Keras's probability-space loss), and the
// fraction whose argmax is the label.
std::pair<double, double> probability_loss_accuracy(const Matrix& p, std::span<const int> labels);

// Rows of `rows` kept for training under Keras's validation_split (the rest is the tail).
std::size_t training_rows(std::size_t rows, double validation_fraction);

}  // namespace audify::nn
