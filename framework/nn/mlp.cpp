// Construction, parameter access in PyTorch layout, and batched inference of the MLP.
#include "nn/mlp.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/philox.h"
#include "nn/dense_kernels.h"
#include "nn/softmax_xent.h"

namespace audify::nn {

double glorot_limit(int fan_in, int fan_out) {
  return std::sqrt(6.0 / (fan_in + fan_out));
}

Activation parse_activation(const std::string& name) {
  if (name == "relu") return Activation::kRelu;
  if (name == "tanh") return Activation::kTanh;
  if (name == "sigmoid") return Activation::kSigmoid;
  if (name == "linear") return Activation::kLinear;
  fail("model.activation: unknown activation '{}' (expected relu, tanh, sigmoid or linear)", name);
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kRelu:
      return "relu";
    case Activation::kTanh:
      return "tanh";
    case Activation::kSigmoid:
      return "sigmoid";
    case Activation::kLinear:
      return "linear";
  }
  return "?";
}

Mlp::Mlp(const MlpConfig& config, uint64_t seed)
    : config_(config), activation_(parse_activation(config.activation)) {
  if (config.inputs <= 0) fail("model.inputs must be positive, got {}", config.inputs);
  if (config.classes < 2) fail("model.classes must be at least 2, got {}", config.classes);
  for (int h : config.hidden)
    if (h <= 0) fail("model.hidden: layer sizes must be positive, got {}", h);
  if (!(config.dropout >= 0.0 && config.dropout < 1.0))
    fail("model.dropout must lie in [0, 1), got {}", config.dropout);
  dims_.push_back(config.inputs);
  dims_.insert(dims_.end(), config.hidden.begin(), config.hidden.end());
  dims_.push_back(config.classes);
  for (int l = 0; l < num_layers(); ++l) {
    const int in = dims_[l], out = dims_[l + 1], ld = pad_width(out);
    const float limit = static_cast<float>(glorot_limit(in, out));
    std::vector<float> w(static_cast<std::size_t>(in) * ld, 0.0f);
    // Element (o, i) of the PyTorch-layout weight takes draw number o * in + i.
    for (int o = 0; o < out; ++o)
      for (int i = 0; i < in; ++i) {
        const uint32_t word = philox_word(seed, RandomStream::kInit, static_cast<uint32_t>(l), 0,
                                          static_cast<uint32_t>(o * in + i));
        w[static_cast<std::size_t>(i) * ld + o] = limit * (2.0f * uniform01(word) - 1.0f);
      }
    wt_.push_back(std::move(w));
    b_.emplace_back(ld, 0.0f);
  }
}

Matrix Mlp::weight(int layer) const {
  const int in = in_dim(layer), out = out_dim(layer), ld = pad_width(out);
  Matrix w(out, in);
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i) w(o, i) = wt_[layer][static_cast<std::size_t>(i) * ld + o];
  return w;
}

std::vector<float> Mlp::bias(int layer) const {
  return {b_[layer].begin(), b_[layer].begin() + out_dim(layer)};
}

void Mlp::set_weight(int layer, const Matrix& w) {
  const int in = in_dim(layer), out = out_dim(layer), ld = pad_width(out);
  if (w.rows != static_cast<std::size_t>(out) || w.cols != static_cast<std::size_t>(in))
    fail("layer {} weight: expected shape ({}, {}), got ({}, {})", layer, out, in, w.rows, w.cols);
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i) wt_[layer][static_cast<std::size_t>(i) * ld + o] = w(o, i);
}

void Mlp::set_bias(int layer, const std::vector<float>& bias) {
  if (bias.size() != static_cast<std::size_t>(out_dim(layer)))
    fail("layer {} bias: expected {} values, got {}", layer, out_dim(layer), bias.size());
  std::copy(bias.begin(), bias.end(), b_[layer].begin());
}

void Mlp::set_standardization(std::vector<float> mean, std::vector<float> std) {
  const auto n = static_cast<std::size_t>(config_.inputs);
  if (!(mean.empty() && std.empty()) && (mean.size() != n || std.size() != n))
    fail("standardisation: expected {} means and deviations, got {} and {}", n, mean.size(),
         std.size());
  mean_ = std::move(mean);
  std_ = std::move(std);
}

void Mlp::standardize_rows(Matrix& x) const {
  if (mean_.empty()) return;
  AUDIFY_ASSERT(x.cols == mean_.size());
  for (std::size_t r = 0; r < x.rows; ++r)
    for (std::size_t c = 0; c < x.cols; ++c) x(r, c) = (x(r, c) - mean_[c]) / std_[c];
}

Matrix Mlp::predict_proba(const Matrix& x) const {
  if (x.cols != static_cast<std::size_t>(config_.inputs))
    fail("predict: the model takes {} features, the input has {}", config_.inputs, x.cols);
  constexpr int kBlock = 256;
  const int layers = num_layers();
  int widest = 0;
  for (int d : dims_) widest = std::max(widest, pad_width(d));
  std::vector<float> cur(static_cast<std::size_t>(kBlock) * widest);
  std::vector<float> next(cur.size());
  Matrix out(x.rows, config_.classes);
  for (std::size_t r0 = 0; r0 < x.rows; r0 += kBlock) {
    const int rows = static_cast<int>(std::min<std::size_t>(kBlock, x.rows - r0));
    int ld = pad_width(dims_[0]);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < dims_[0]; ++c) {
        float v = x(r0 + r, c);
        if (!mean_.empty()) v = (v - mean_[c]) / std_[c];
        cur[static_cast<std::size_t>(r) * ld + c] = v;
      }
    for (int l = 0; l < layers; ++l) {
      const int ld_out = pad_width(dims_[l + 1]);
      for (int r = 0; r < rows; ++r)
        std::copy(b_[l].begin(), b_[l].end(), next.begin() + static_cast<long>(r) * ld_out);
      matmul_acc(GemmImpl::kTiled, rows, ld_out, dims_[l], cur.data(), ld, wt_[l].data(), ld_out,
                 next.data(), ld_out);
      if (l + 1 < layers)
        for (int r = 0; r < rows; ++r)
          for (int c = 0; c < dims_[l + 1]; ++c) {
            float& v = next[static_cast<std::size_t>(r) * ld_out + c];
            v = activate(activation_, v);
          }
      std::swap(cur, next);
      ld = ld_out;
    }
    softmax_rows(rows, config_.classes, cur.data(), ld);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < config_.classes; ++c)
        out(r0 + r, c) = cur[static_cast<std::size_t>(r) * ld + c];
  }
  return out;
}

std::vector<int> Mlp::predict(const Matrix& x) const {
  const Matrix p = predict_proba(x);
  std::vector<int> labels(p.rows);
  for (std::size_t r = 0; r < p.rows; ++r) {
    const auto row = p.row(r);
    labels[r] = static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return labels;
}

}  // namespace audify::nn
