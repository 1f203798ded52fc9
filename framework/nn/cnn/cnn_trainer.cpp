#include "nn/cnn/cnn_trainer.h"

#include <algorithm>

#include "core/error.h"
#include "nn/flush_denormals.h"

namespace audify::nn::cnn {

CnnTrainer::CnnTrainer(Sequential& model, const AdamHyper& adam, uint64_t seed, SgdMomentum sgd)
    : model_(model), adam_(adam), sgd_(sgd), seed_(seed), params_(model.params()) {
  for (Param* p : params_) {
    m_.emplace_back(p->value.size(), 0.0f);
    v_.emplace_back(p->value.size(), 0.0f);
  }
}

const Tensor& CnnTrainer::forward_logits(const Tensor& x) {
  const Pass pass{true, seed_, static_cast<uint32_t>(steps_)};
  const Tensor& logits = model_.forward(x, pass);
  dlogits_.reshape(logits.shape);
  dlogits_.data = logits.data;
  return logits;
}

XentResult CnnTrainer::forward_backward(const Tensor& x, std::span<const int> labels) {
  if (labels.size() != static_cast<std::size_t>(x.shape.n))
    fail("cnn: {} labels for a batch of {}", labels.size(), x.shape.n);
  const int classes = forward_logits(x).shape.c;
  for (int label : labels)
    if (label < 0 || label >= classes)
      fail("cnn: label {} outside [0, {}) classes", label, classes);
  const XentResult r =
      softmax_xent_backward(x.shape.n, classes, dlogits_.data.data(), classes, labels);
  model_.backward(dlogits_);
  return r;
}

XentResult CnnTrainer::forward_backward_soft(const Tensor& x, std::span<const float> targets) {
  const int classes = forward_logits(x).shape.c;
  if (targets.size() != static_cast<std::size_t>(x.shape.n) * classes)
    fail("cnn: {} target values for a batch of {} x {} classes", targets.size(), x.shape.n,
         classes);
  const XentResult r =
      softmax_xent_soft_backward(x.shape.n, classes, dlogits_.data.data(), classes, targets.data());
  model_.backward(dlogits_);
  return r;
}

void CnnTrainer::update() {
  ++steps_;
  if (sgd_.enabled) {
    const auto lr = static_cast<float>(adam_.lr), mu = static_cast<float>(sgd_.momentum);
    const auto decay = static_cast<float>(adam_.lr * adam_.weight_decay);
    for (std::size_t i = 0; i < params_.size(); ++i) {
      std::vector<float>& w = params_[i]->value;
      const std::vector<float>& g = params_[i]->grad;
      std::vector<float>& v = m_[i];
      for (std::size_t k = 0; k < w.size(); ++k) {
        v[k] = mu * v[k] + g[k];
        w[k] -= decay * w[k] + lr * v[k];
      }
    }
    return;
  }
  const AdamStep s = adam_step(adam_, steps_);
  for (std::size_t i = 0; i < params_.size(); ++i)
    adam_update(s, params_[i]->value.size(), params_[i]->grad.data(), params_[i]->value.data(),
                m_[i].data(), v_[i].data());
}

XentResult CnnTrainer::step(const Tensor& x, std::span<const int> labels) {
  const ScopedFlushDenormals ftz;
  const XentResult r = forward_backward(x, labels);
  update();
  return r;
}

XentResult CnnTrainer::step_soft(const Tensor& x, std::span<const float> targets) {
  const ScopedFlushDenormals ftz;
  const XentResult r = forward_backward_soft(x, targets);
  update();
  return r;
}

std::vector<int> predict(Sequential& model, const Tensor& x) {
  const Tensor& logits = model.forward(x, Pass{});
  std::vector<int> out(static_cast<std::size_t>(x.shape.n));
  const int classes = logits.shape.c;
  for (int s = 0; s < x.shape.n; ++s) {
    const float* z = logits.sample(s);
    out[static_cast<std::size_t>(s)] = static_cast<int>(std::max_element(z, z + classes) - z);
  }
  return out;
}

}  // namespace audify::nn::cnn
