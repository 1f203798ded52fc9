// The multilayer perceptron of the seed study (Keras semantics): Dense layers with one hidden
// activation, inverted dropout after each hidden layer at train time, softmax output. Holds the
// parameters and the optional input standardisation; training lives in nn/trainer.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/matrix.h"
#include "nn/activation.h"

namespace audify::nn {

struct MlpConfig {
  int inputs = 40;
  std::vector<int> hidden = {100, 200, 100};
  int classes = 10;
  std::string activation = "relu";
  double dropout = 0.5;  // rate of units dropped after each hidden layer while training
};

class Mlp {
 public:
  // Glorot-uniform weights drawn from Philox(seed), zero biases. Throws audify::Error on a bad
  // config (non-positive sizes, dropout outside [0, 1), unknown activation).
  explicit Mlp(const MlpConfig& config, uint64_t seed = 0);

  const MlpConfig& config() const { return config_; }
  Activation activation() const { return activation_; }
  int num_layers() const { return static_cast<int>(dims_.size()) - 1; }
  int in_dim(int layer) const { return dims_[layer]; }
  int out_dim(int layer) const { return dims_[layer + 1]; }

  // Parameters in PyTorch layout: weight (out, in), bias (out).
  Matrix weight(int layer) const;
  std::vector<float> bias(int layer) const;
  void set_weight(int layer, const Matrix& w);  // throws audify::Error on a shape mismatch
  void set_bias(int layer, const std::vector<float>& b);

  // Standardisation applied to inputs before the first layer: (x - mean) / std. Empty = none.
  const std::vector<float>& input_mean() const { return mean_; }
  const std::vector<float>& input_std() const { return std_; }
  void set_standardization(std::vector<float> mean, std::vector<float> std);
  void standardize_rows(Matrix& x) const;  // in place; no-op without standardisation

  // Class probabilities (rows, classes) for raw inputs (rows, inputs); dropout is off.
  Matrix predict_proba(const Matrix& x) const;
  std::vector<int> predict(const Matrix& x) const;

  // Internal storage, shared with the trainer: weight^T as (in, pad(out)) and bias as pad(out),
  // the padding kept at zero.
  std::vector<float>& wt(int layer) { return wt_[layer]; }
  std::vector<float>& b(int layer) { return b_[layer]; }
  const std::vector<float>& wt(int layer) const { return wt_[layer]; }
  const std::vector<float>& b(int layer) const { return b_[layer]; }

 private:
  MlpConfig config_;
  Activation activation_;
  std::vector<int> dims_;  // inputs, hidden..., classes
  std::vector<std::vector<float>> wt_, b_;
  std::vector<float> mean_, std_;
};

// Keras's glorot_uniform limit sqrt(6 / (fan_in + fan_out)).
double glorot_limit(int fan_in, int fan_out);

}  // namespace audify::nn
