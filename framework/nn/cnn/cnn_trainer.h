// One Adam step of a Sequential CNN on a batch: forward with dropout, softmax cross-entropy
// (nn/softmax_xent.h, Keras's from-logits gradient), backward, L2 penalties, Adam
// (nn/adam.h, Keras's update). Deterministic for a seed: dropout masks are Philox(seed, step).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nn/adam.h"
#include "nn/cnn/sequential.h"
#include "nn/softmax_xent.h"

namespace audify::nn::cnn {

// SGD with momentum instead of Adam when `sgd` (its lr and weight decay from `adam`).
struct SgdMomentum {
  bool enabled = false;
  double momentum = 0.9;
};

class CnnTrainer {
 public:
  CnnTrainer(Sequential& model, const AdamHyper& adam, uint64_t seed, SgdMomentum sgd = {});
  // x: (n, c, h, w); labels: n classes. Returns the batch's summed cross-entropy (without the
  // penalty) and correct count.
  XentResult step(const Tensor& x, std::span<const int> labels);
  // The same against soft targets (n, classes), e.g. mixup's.
  XentResult step_soft(const Tensor& x, std::span<const float> targets);
  // The same forward and backward without the update: gradients are left in the parameters.
  XentResult forward_backward(const Tensor& x, std::span<const int> labels);
  XentResult forward_backward_soft(const Tensor& x, std::span<const float> targets);
  int64_t steps() const { return steps_; }

 private:
  Sequential& model_;
  AdamHyper adam_;
  SgdMomentum sgd_;
  uint64_t seed_;
  std::vector<Param*> params_;
  std::vector<std::vector<float>> m_, v_;
  Tensor dlogits_;
  int64_t steps_ = 0;

  const Tensor& forward_logits(const Tensor& x);
  void update();
};

// Predicted class per sample (inference: no dropout, running batch-norm statistics).
std::vector<int> predict(Sequential& model, const Tensor& x);

}  // namespace audify::nn::cnn
