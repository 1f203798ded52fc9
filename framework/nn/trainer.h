// Mini-batch training of an Mlp with Keras's fit() semantics: shuffled epochs whose last partial
// batch is kept, Adam, dropout, running (dropout-on) loss and accuracy per epoch, an optional
// validation tail (Keras's validation_split: the last fraction, taken before shuffling) with early
// stopping, and a per-epoch callback. Deterministic for a seed: all randomness is Philox.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "nn/adam.h"
#include "nn/dense_kernels.h"
#include "nn/mlp.h"
#include "nn/softmax_xent.h"

namespace audify::nn {

struct TrainConfig {
  int epochs = 100;
  int batch_size = 50;
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-7, weight_decay = 0;
  bool shuffle = true;
  uint64_t seed = 0;                // dropout masks and shuffles
  bool standardize = false;         // fit mean/std on the training rows and store them in the model
  int early_stopping_patience = 0;  // epochs without val_loss improvement; 0 = off
  double validation_fraction = 0.0;  // the last fraction of the rows, as Keras's validation_split
  GemmImpl gemm = GemmImpl::kTiled;
  // "adam", or "sgd" with momentum (PyTorch's rule: v = momentum v + g, w -= lr v; CNNs only).
  std::string optimizer = "adam";
  double momentum = 0.9;
  // The final weights are the mean of those after each of the last average_epochs epochs
  // (stochastic weight averaging at a constant learning rate, Izmailov et al. 2018); 0 = the last
  // epoch's weights. CNNs only; not with early stopping.
  int average_epochs = 0;
};

struct EpochStats {
  int epoch = 0;                // 1-based
  double loss = 0.0;            // mean training loss over the epoch, dropout on (as Keras reports)
  double train_accuracy = 0.0;  // running accuracy over the epoch, dropout on
  double val_loss = std::numeric_limits<double>::quiet_NaN();
  double val_accuracy = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0.0;
  int64_t steps = 0;  // optimizer steps so far
};

struct TrainHistory {
  std::vector<EpochStats> epochs;
  int best_epoch = 0;  // epoch whose weights the model holds when early stopping restored
  bool stopped_early = false;
};

using EpochCallback = std::function<void(const EpochStats&)>;

// Trains `model` in place on x (rows, inputs) with labels in [0, classes). The callback runs after
// each epoch with the model holding that epoch's weights. Early stopping restores the best weights.
// Throws audify::Error on bad shapes, labels or config values.
TrainHistory fit(Mlp& model, const Matrix& x, std::span<const int> labels, const TrainConfig& cfg,
                 const EpochCallback& on_epoch = {});

// fit()'s checks of a TrainConfig and its standardisation (population mean and deviation of the
// first `rows` rows, stored in the model), shared with the GPU trainer (cuda/mlp_gpu.h).
void check_train_config(const TrainConfig& cfg);
void fit_standardization(Mlp& model, const Matrix& x, std::size_t rows);

// One optimizer step at a time over preallocated buffers (no allocation per step).
class Trainer {
 public:
  Trainer(Mlp& model, const TrainConfig& cfg, int max_batch);
  // x: `rows` contiguous input rows (inputs floats each), already standardised.
  XentResult step(const float* x, int rows, std::span<const int> labels);
  // Gradients of the last step, in the model's internal layout (for tests).
  const std::vector<float>& grad_wt(int layer) const { return dwt_[layer]; }
  const std::vector<float>& grad_b(int layer) const { return db_[layer]; }
  // Forward and backward without the optimizer update (gradient checks); dropout per `step`.
  XentResult forward_backward(const float* x, int rows, std::span<const int> labels);
  int64_t steps() const { return steps_; }

 private:
  void refresh_transposed(int layer);

  Mlp& model_;
  TrainConfig cfg_;
  int max_batch_;
  std::vector<int> dims_, pads_;
  std::vector<std::vector<float>> act_;    // act_[l]: input of layer l, (max_batch, pads_[l])
  std::vector<std::vector<float>> pre_;    // hidden outputs before dropout, (max_batch, dims)
  std::vector<std::vector<float>> scale_;  // dropout scales, (max_batch, dims)
  std::vector<std::vector<float>> dz_;  // dL/d(pre-activation) of layer l, (max_batch, pads_[l+1])
  std::vector<float> dh_, scratch_;
  std::vector<std::vector<float>> dwt_, db_, mw_, vw_, mb_, vb_, w_;  // w_: weights (out, pad(in))
  int64_t steps_ = 0;
};

}  // namespace audify::nn
