// The training step (forward with dropout, softmax cross-entropy, backward, Adam) and the epoch
// loop.
#include "nn/trainer.h"

#include "core/simd.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/philox.h"
#include "nn/dropout.h"
#include "nn/flush_denormals.h"

namespace audify::nn {
namespace {

// The per-element passes, with the activation's switch hoisted out of the loops; the callers below
// are cloned per instruction set (AUDIFY_TARGET_CLONES) so that they vectorise.

template <Activation A>
inline __attribute__((always_inline)) void forward_pass(int rows, int d, float* out, int ld,
                                                        float* pre, const float* scale) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < d; ++c) {
      const int e = r * d + c;
      pre[e] = activate(A, out[r * ld + c]);
      out[r * ld + c] = pre[e] * scale[e];
    }
}

AUDIFY_TARGET_CLONES void activate_and_drop(Activation a, int rows, int d, float* out, int ld,
                                            float* pre, const float* scale) {
  switch (a) {
    case Activation::kRelu:
      return forward_pass<Activation::kRelu>(rows, d, out, ld, pre, scale);
    case Activation::kTanh:
      return forward_pass<Activation::kTanh>(rows, d, out, ld, pre, scale);
    case Activation::kSigmoid:
      return forward_pass<Activation::kSigmoid>(rows, d, out, ld, pre, scale);
    case Activation::kLinear:
      return forward_pass<Activation::kLinear>(rows, d, out, ld, pre, scale);
  }
}

template <Activation A>
inline __attribute__((always_inline)) void backward_pass(int rows, int d, const float* dh, int ld,
                                                         const float* pre, const float* scale,
                                                         float* dz) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < d; ++c) {
      const int e = r * d + c;
      dz[r * ld + c] = dh[r * ld + c] * scale[e] * activation_grad(A, pre[e]);
    }
}

AUDIFY_TARGET_CLONES void activation_backward(Activation a, int rows, int d, const float* dh,
                                              int ld, const float* pre, const float* scale,
                                              float* dz) {
  switch (a) {
    case Activation::kRelu:
      return backward_pass<Activation::kRelu>(rows, d, dh, ld, pre, scale, dz);
    case Activation::kTanh:
      return backward_pass<Activation::kTanh>(rows, d, dh, ld, pre, scale, dz);
    case Activation::kSigmoid:
      return backward_pass<Activation::kSigmoid>(rows, d, dh, ld, pre, scale, dz);
    case Activation::kLinear:
      return backward_pass<Activation::kLinear>(rows, d, dh, ld, pre, scale, dz);
  }
}

AUDIFY_TARGET_CLONES void column_sums(int rows, int ld, const float* x, float* sums) {
  for (int c = 0; c < ld; ++c) sums[c] = 0.0f;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < ld; ++c) sums[c] += x[r * ld + c];
}

}  // namespace

Trainer::Trainer(Mlp& model, const TrainConfig& cfg, int max_batch)
    : model_(model), cfg_(cfg), max_batch_(max_batch) {
  const int layers = model.num_layers();
  for (int l = 0; l <= layers; ++l) {
    const int d = l < layers ? model.in_dim(l) : model.out_dim(layers - 1);
    dims_.push_back(d);
    pads_.push_back(pad_width(d));
  }
  const auto sz = [&](int a, int b) { return static_cast<std::size_t>(a) * b; };
  int widest = 0;
  for (int p : pads_) widest = std::max(widest, p);
  for (int l = 0; l < layers; ++l) {
    act_.emplace_back(sz(max_batch, pads_[l]), 0.0f);
    dz_.emplace_back(sz(max_batch, pads_[l + 1]), 0.0f);
    if (l + 1 < layers) {
      pre_.emplace_back(sz(max_batch, dims_[l + 1]), 0.0f);
      scale_.emplace_back(sz(max_batch, dims_[l + 1]), 0.0f);
    }
    const std::size_t nw = model.wt(l).size(), nb = model.b(l).size();
    dwt_.emplace_back(nw, 0.0f);
    mw_.emplace_back(nw, 0.0f);
    vw_.emplace_back(nw, 0.0f);
    db_.emplace_back(nb, 0.0f);
    mb_.emplace_back(nb, 0.0f);
    vb_.emplace_back(nb, 0.0f);
    w_.emplace_back(sz(dims_[l + 1], pads_[l]), 0.0f);
    refresh_transposed(l);
  }
  dh_.assign(sz(max_batch, widest), 0.0f);
  scratch_.assign(sz(max_batch, widest), 0.0f);
}

void Trainer::refresh_transposed(int layer) {
  if (cfg_.gemm != GemmImpl::kTiled) return;
  transpose(dims_[layer], dims_[layer + 1], model_.wt(layer).data(), pads_[layer + 1],
            w_[layer].data(), pads_[layer]);
}

XentResult Trainer::forward_backward(const float* x, int rows, std::span<const int> labels) {
  AUDIFY_ASSERT(rows > 0 && rows <= max_batch_);
  const int layers = model_.num_layers();
  const Activation act = model_.activation();
  const double rate = model_.config().dropout;
  const auto step_id = static_cast<uint32_t>(steps_);
  for (int r = 0; r < rows; ++r)
    std::memcpy(&act_[0][static_cast<std::size_t>(r) * pads_[0]],
                x + static_cast<long>(r) * dims_[0], sizeof(float) * dims_[0]);
  for (int l = 0; l < layers; ++l) {
    const int ld = pads_[l + 1], d = dims_[l + 1];
    float* out = l + 1 < layers ? act_[l + 1].data() : dz_[l].data();
    const std::vector<float>& bias = model_.b(l);
    for (int r = 0; r < rows; ++r)
      std::memcpy(out + static_cast<long>(r) * ld, bias.data(), sizeof(float) * ld);
    matmul_acc(cfg_.gemm, rows, ld, dims_[l], act_[l].data(), pads_[l], model_.wt(l).data(), ld,
               out, ld);
    if (l + 1 == layers) break;
    float* pre = pre_[l].data();
    float* scale = scale_[l].data();
    if (rate > 0.0)
      fill_dropout_scale(cfg_.seed, step_id, static_cast<uint32_t>(l), rate, rows * d, scale);
    else
      std::fill(scale, scale + rows * d, 1.0f);
    activate_and_drop(act, rows, d, out, ld, pre, scale);
  }
  const XentResult res =
      softmax_xent_backward(rows, dims_[layers], dz_[layers - 1].data(), pads_[layers], labels);
  for (int l = layers - 1; l >= 0; --l) {
    const int ld = pads_[l + 1];
    const float* dz = dz_[l].data();
    std::fill(dwt_[l].begin(), dwt_[l].end(), 0.0f);
    matmul_tn_acc(cfg_.gemm, dims_[l], ld, rows, act_[l].data(), pads_[l], dz, ld, dwt_[l].data(),
                  ld, scratch_.data());
    column_sums(rows, ld, dz, db_[l].data());
    if (l == 0) break;
    const int d = dims_[l], ldh = pads_[l];
    matmul_nt(cfg_.gemm, rows, d, dims_[l + 1], dz, ld, model_.wt(l).data(), ld, w_[l].data(), ldh,
              dh_.data(), ldh);
    const float* pre = pre_[l - 1].data();
    const float* scale = scale_[l - 1].data();
    activation_backward(act, rows, d, dh_.data(), ldh, pre, scale, dz_[l - 1].data());
  }
  return res;
}

XentResult Trainer::step(const float* x, int rows, std::span<const int> labels) {
  const ScopedFlushDenormals ftz;
  const XentResult res = forward_backward(x, rows, labels);
  ++steps_;
  const AdamHyper hyper{cfg_.lr, cfg_.beta1, cfg_.beta2, cfg_.eps, cfg_.weight_decay};
  const AdamStep s = adam_step(hyper, steps_);
  for (int l = 0; l < model_.num_layers(); ++l) {
    adam_update(s, dwt_[l].size(), dwt_[l].data(), model_.wt(l).data(), mw_[l].data(),
                vw_[l].data());
    adam_update(s, db_[l].size(), db_[l].data(), model_.b(l).data(), mb_[l].data(), vb_[l].data());
    refresh_transposed(l);
  }
  return res;
}

}  // namespace audify::nn
