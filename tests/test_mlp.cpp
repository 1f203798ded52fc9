// The seed MLP on the CPU: Philox, initialisation, dropout, gradients, Adam, determinism, learning,
// and the safetensors model files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "nn/adam.h"
#include "nn/dropout.h"
#include "nn/dropout_mask.h"
#include "nn/mlp.h"
#include "nn/mlp_io.h"
#include "nn/safetensors.h"
#include "nn/trainer.h"
#include "test_support.h"

namespace audify::nn {
namespace {

// Well-separated blobs: class k centred at 3 * e_k (plus a shared offset), uniform noise of +-1.
void make_blobs(int rows, int dims, int classes, uint64_t seed, Matrix& x, std::vector<int>& y) {
  PhiloxStream rng(seed, RandomStream::kSplit, 99);
  x = Matrix(rows, dims);
  y.assign(rows, 0);
  for (int r = 0; r < rows; ++r) {
    y[r] = static_cast<int>(rng.below(classes));
    for (int c = 0; c < dims; ++c)
      x(r, c) = 5.0f + (c == y[r] ? 3.0f : 0.0f) + 2.0f * uniform01(rng.next_u32()) - 1.0f;
  }
}

TEST(Philox, MatchesRandom123KnownAnswers) {
  const Philox4 zero = philox4x32_10(Philox4{{0, 0, 0, 0}}, 0, 0);
  EXPECT_EQ(zero.v[0], 0x6627e8d5u);
  EXPECT_EQ(zero.v[1], 0xe169c58du);
  EXPECT_EQ(zero.v[2], 0xbc57ac4cu);
  EXPECT_EQ(zero.v[3], 0x9b00dbd8u);
  const Philox4 pi = philox4x32_10(Philox4{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
                                   0xa4093822u, 0x299f31d0u);
  EXPECT_EQ(pi.v[0], 0xd16cfe09u);
  EXPECT_EQ(pi.v[1], 0x94fdccebu);
  EXPECT_EQ(pi.v[2], 0x5001e420u);
  EXPECT_EQ(pi.v[3], 0x24126ea1u);
}

TEST(Mlp, GlorotUniformWeightsAndZeroBiases) {
  const Mlp m(MlpConfig{}, 3);
  ASSERT_EQ(m.num_layers(), 4);
  const int dims[] = {40, 100, 200, 100, 10};
  for (int l = 0; l < 4; ++l) {
    const Matrix w = m.weight(l);
    ASSERT_EQ(w.rows, static_cast<std::size_t>(dims[l + 1]));
    ASSERT_EQ(w.cols, static_cast<std::size_t>(dims[l]));
    const double limit = std::sqrt(6.0 / (dims[l] + dims[l + 1]));
    EXPECT_DOUBLE_EQ(glorot_limit(dims[l], dims[l + 1]), limit);
    double mx = 0, sum = 0, sq = 0;
    for (float v : w.data) {
      mx = std::max(mx, std::abs(static_cast<double>(v)));
      sum += v;
      sq += static_cast<double>(v) * v;
    }
    const double n = static_cast<double>(w.data.size());
    EXPECT_LE(mx, limit);
    EXPECT_GT(mx, 0.95 * limit);
    EXPECT_NEAR(sum / n, 0.0, 0.1 * limit);
    EXPECT_NEAR(sq / n, limit * limit / 3.0, 0.15 * limit * limit / 3.0);  // uniform variance
    for (float b : m.bias(l)) EXPECT_EQ(b, 0.0f);
  }
}

TEST(Mlp, RejectsBadConfigs) {
  EXPECT_THROW(Mlp(MlpConfig{4, {8}, 3, "gelu", 0.5}), Error);
  EXPECT_THROW(Mlp(MlpConfig{4, {8}, 3, "relu", 1.0}), Error);
  EXPECT_THROW(Mlp(MlpConfig{4, {0}, 3, "relu", 0.5}), Error);
  EXPECT_THROW(Mlp(MlpConfig{4, {8}, 1, "relu", 0.5}), Error);
}

TEST(Dropout, KeepRateAndInvertedScaling) {
  for (double rate : {0.5, 0.2}) {
    const int n = 100003;  // not a multiple of 4: the tail takes the single-element path
    std::vector<float> s(n);
    fill_dropout_scale(11, 5, 2, rate, n, s.data());
    const float scale = static_cast<float>(1.0 / (1.0 - rate));
    int kept = 0;
    for (int e = 0; e < n; ++e) {
      ASSERT_TRUE(s[e] == 0.0f || s[e] == scale);
      kept += s[e] != 0.0f;
      if (e % 997 == 0 || e >= n - 3) {
        ASSERT_EQ(s[e] != 0.0f, dropout_keep(11, 5, 2, e, dropout_threshold(rate)));
      }
    }
    EXPECT_NEAR(static_cast<double>(kept) / n, 1.0 - rate, 0.01);
  }
  std::vector<float> a(64), b(64);
  fill_dropout_scale(11, 5, 2, 0.5, 64, a.data());
  fill_dropout_scale(11, 6, 2, 0.5, 64, b.data());
  EXPECT_NE(a, b);  // a new step draws a new mask
}

// Central differences of the batch-mean loss against the backward pass, dropout on (the mask is a
// function of the step, which forward_backward does not advance) and off.
void check_gradients(const std::string& activation, double dropout, GemmImpl impl) {
  SCOPED_TRACE(activation + " dropout " + std::to_string(dropout));
  Mlp m(MlpConfig{5, {7, 6}, 3, activation, dropout}, 21);
  TrainConfig tc;
  tc.gemm = impl;
  tc.seed = 4;
  Trainer tr(m, tc, 4);
  Matrix x;
  std::vector<int> y;
  make_blobs(4, 5, 3, 1, x, y);
  for (float& v : x.data) v -= 5.0f;
  tr.forward_backward(x.data.data(), 4, y);
  const float h = 2e-3f;
  for (int l = 0; l < m.num_layers(); ++l) {
    const std::vector<float> gw = tr.grad_wt(l), gb = tr.grad_b(l);
    const int ld = pad_width(m.out_dim(l));
    auto probe = [&](float& p, float analytic) {
      const float saved = p;
      p = saved + h;
      const double up = tr.forward_backward(x.data.data(), 4, y).loss_sum / 4;
      p = saved - h;
      const double down = tr.forward_backward(x.data.data(), 4, y).loss_sum / 4;
      p = saved;
      const double numeric = (up - down) / (2 * h);
      EXPECT_NEAR(numeric, analytic, 1e-3 + 1e-2 * std::abs(numeric));
    };
    for (int i = 0; i < m.in_dim(l); ++i)
      for (int o = 0; o < m.out_dim(l); ++o) probe(m.wt(l)[i * ld + o], gw[i * ld + o]);
    for (int o = 0; o < m.out_dim(l); ++o) probe(m.b(l)[o], gb[o]);
  }
}

TEST(Trainer, BackwardMatchesFiniteDifferences) {
  for (GemmImpl impl : {GemmImpl::kTiled, GemmImpl::kBlas}) {
    check_gradients("tanh", 0.0, impl);
    check_gradients("tanh", 0.5, impl);
    check_gradients("sigmoid", 0.3, impl);
    check_gradients("relu", 0.0, impl);
  }
}

TEST(Adam, FirstStepMatchesHandComputation) {
  // t = 1: m = (1 - b1) g, v = (1 - b2) g^2, lr_t = lr sqrt(1 - b2) / (1 - b1),
  // w -= lr_t m / (sqrt(v) + eps); Keras holds b1 and b2 in float32, so 1 - 0.999f = 0.00099998713.
  const double b1c = 1.0 - static_cast<double>(0.9f), b2c = 1.0 - static_cast<double>(0.999f);
  const double lr_t = 1e-3 * std::sqrt(b2c) / b1c;
  const AdamStep s = adam_step(AdamHyper{}, 1);
  EXPECT_NEAR(s.lr_t, lr_t, 1e-6 * lr_t);
  float w = 0.5f, m = 0.0f, v = 0.0f;
  adam_element(s, 0.2f, w, m, v);
  EXPECT_NEAR(m, b1c * 0.2, 1e-8);
  EXPECT_NEAR(v, b2c * 0.04, 1e-11);
  const double step = lr_t * (b1c * 0.2) / (std::sqrt(b2c * 0.04) + 1e-7);
  EXPECT_NEAR(step, 1e-3 * (1 - 1e-7 / std::sqrt(b2c * 0.04)), 1e-9);  // ~lr on the first step
  EXPECT_NEAR(w, 0.5 - step, 3e-8);
  // t = 2 with the same gradient: m = b1c g (1 + b1), v = b2c g^2 (1 + b2).
  adam_element(adam_step(AdamHyper{}, 2), 0.2f, w, m, v);
  const double m2 = b1c * 0.2 * (2 - b1c), v2 = b2c * 0.04 * (2 - b2c);
  const double lr2 = 1e-3 * std::sqrt(1 - std::pow(1 - b2c, 2)) / (1 - std::pow(1 - b1c, 2));
  EXPECT_NEAR(w, 0.5 - step - lr2 * m2 / (std::sqrt(v2) + 1e-7), 6e-8);
  // Decoupled weight decay: w -= lr * decay * w before the Adam step.
  AdamHyper hd;
  hd.weight_decay = 0.01;
  float wd = 0.5f, md = 0.0f, vd = 0.0f;
  adam_element(adam_step(hd, 1), 0.2f, wd, md, vd);
  EXPECT_NEAR(wd, 0.5 - 0.5 * 1e-3 * 0.01 - step, 3e-8);
}

TEST(Adam, VectorLoopEqualsScalarReference) {
  const int n = 53;
  std::vector<float> g(n), w(n), m(n), v(n);
  PhiloxStream rng(5, RandomStream::kSplit, 1);
  for (int i = 0; i < n; ++i) {
    g[i] = uniform01(rng.next_u32()) - 0.5f;
    w[i] = uniform01(rng.next_u32()) - 0.5f;
    m[i] = 0.01f * (uniform01(rng.next_u32()) - 0.5f);
    v[i] = 1e-4f * uniform01(rng.next_u32());
  }
  std::vector<float> w2 = w, m2 = m, v2 = v;
  AdamHyper hyper;
  hyper.weight_decay = 1e-2;
  const AdamStep s = adam_step(hyper, 7);
  adam_update(s, n, g.data(), w.data(), m.data(), v.data());
  for (int i = 0; i < n; ++i) adam_element(s, g[i], w2[i], m2[i], v2[i]);
  EXPECT_EQ(w, w2);
  EXPECT_EQ(m, m2);
  EXPECT_EQ(v, v2);
}

std::vector<float> train_weights(uint64_t seed, GemmImpl impl) {
  Matrix x;
  std::vector<int> y;
  make_blobs(173, 6, 3, 2, x, y);
  Mlp m(MlpConfig{6, {20, 12}, 3, "relu", 0.5}, seed);
  TrainConfig tc;
  tc.epochs = 3;
  tc.batch_size = 50;  // 173 rows: the last batch of each epoch is partial
  tc.seed = seed;
  tc.standardize = true;
  tc.gemm = impl;
  const TrainHistory h = fit(m, x, y, tc);
  EXPECT_EQ(h.epochs.size(), 3u);
  EXPECT_EQ(h.epochs.back().steps, 12);
  std::vector<float> all;
  for (int l = 0; l < m.num_layers(); ++l) {
    const Matrix w = m.weight(l);
    all.insert(all.end(), w.data.begin(), w.data.end());
  }
  return all;
}

TEST(Trainer, DeterministicForASeed) {
  const std::vector<float> a = train_weights(7, GemmImpl::kTiled);
  EXPECT_EQ(a, train_weights(7, GemmImpl::kTiled));
  EXPECT_NE(a, train_weights(8, GemmImpl::kTiled));
  const std::vector<float> b = train_weights(7, GemmImpl::kBlas);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4);
}

TEST(Trainer, LearnsSeparableClasses) {
  Matrix x;
  std::vector<int> y;
  make_blobs(300, 4, 3, 3, x, y);
  Mlp m(MlpConfig{4, {16, 16}, 3, "relu", 0.5}, 1);
  TrainConfig tc;
  tc.epochs = 40;
  tc.batch_size = 16;
  tc.standardize = true;
  int calls = 0;
  const TrainHistory h = fit(m, x, y, tc, [&](const EpochStats& st) {
    ++calls;
    EXPECT_EQ(st.epoch, calls);
    EXPECT_TRUE(std::isfinite(st.loss));
  });
  EXPECT_EQ(calls, 40);
  EXPECT_LT(h.epochs.back().loss, h.epochs.front().loss);
  const std::vector<int> pred = m.predict(x);
  int correct = 0;
  for (std::size_t i = 0; i < y.size(); ++i) correct += pred[i] == y[i];
  EXPECT_GT(correct, 0.95 * y.size());
  const Matrix p = m.predict_proba(x);
  for (std::size_t r = 0; r < p.rows; ++r) {
    double sum = 0;
    for (float v : p.row(r)) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

TEST(Trainer, EarlyStoppingOnValidationTail) {
  Matrix x;
  std::vector<int> y;
  make_blobs(200, 4, 3, 4, x, y);
  PhiloxStream rng(4, RandomStream::kSplit, 5);
  for (int& label : y) label = static_cast<int>(rng.below(3));  // noise: validation loss must rise
  Mlp m(MlpConfig{4, {32}, 3, "relu", 0.0}, 1);
  TrainConfig tc;
  tc.epochs = 500;
  tc.validation_fraction = 0.25;
  tc.early_stopping_patience = 3;
  tc.standardize = true;
  const TrainHistory h = fit(m, x, y, tc);
  EXPECT_TRUE(h.stopped_early);
  EXPECT_LT(h.epochs.size(), 500u);
  EXPECT_EQ(h.epochs.size(), static_cast<std::size_t>(h.best_epoch + 3));
  EXPECT_TRUE(std::isfinite(h.epochs.back().val_loss));
  EXPECT_LE(h.epochs[h.best_epoch - 1].val_loss, h.epochs.back().val_loss);
  tc.validation_fraction = 0;
  EXPECT_THROW(fit(m, x, y, tc), Error);
}

TEST(Safetensors, ModelRoundTripAndIndependentHeaderParse) {
  test::TempDir dir("nn_safetensors");
  Mlp m(MlpConfig{}, 9);
  std::vector<float> mean(40), sd(40);
  for (int i = 0; i < 40; ++i) {
    mean[i] = 0.5f * i;
    sd[i] = 1.0f + i;
  }
  m.set_standardization(mean, sd);
  const auto path = dir.path() / "model.safetensors";
  save_mlp(path, m, {{"classes", "a,b,c"}});
  const LoadedMlp back = load_mlp(path);
  EXPECT_EQ(back.metadata.at("classes"), "a,b,c");
  EXPECT_EQ(back.model.config().hidden, m.config().hidden);
  for (int l = 0; l < 4; ++l) {
    EXPECT_EQ(back.model.weight(l).data, m.weight(l).data);
    EXPECT_EQ(back.model.bias(l), m.bias(l));
  }
  EXPECT_EQ(back.model.input_std(), sd);
  Matrix x(3, 40, 1.5f);
  EXPECT_EQ(back.model.predict_proba(x).data, m.predict_proba(x).data);

  const std::string bytes = read_file(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ((8 + n) % 8, 0u);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  const auto& w0 = header.at("layers.0.weight");
  EXPECT_EQ(w0.at("dtype"), "F32");
  EXPECT_EQ(w0.at("shape"), nlohmann::json({100, 40}));
  const auto begin = w0.at("data_offsets")[0].get<std::size_t>();
  EXPECT_EQ(w0.at("data_offsets")[1].get<std::size_t>() - begin, 4u * 100 * 40);
  EXPECT_EQ(header.at("__metadata__").at("classes"), "a,b,c");
  float first;  // element (0, 1) of the PyTorch-layout weight, little-endian on x86
  std::memcpy(&first, bytes.data() + 8 + n + begin + 4, 4);
  EXPECT_EQ(first, m.weight(0)(0, 1));
}

TEST(Safetensors, MalformedFilesThrow) {
  SafetensorsFile f;
  f.tensors["t"] = Tensor{{2, 3}, {1, 2, 3, 4, 5, 6}};
  const std::string good = encode_safetensors(f);
  EXPECT_EQ(decode_safetensors(good, "good").at("t").data, f.tensors["t"].data);
  EXPECT_THROW(decode_safetensors(good.substr(0, 5), "short"), Error);
  EXPECT_THROW(decode_safetensors(good.substr(0, good.size() - 4), "truncated"), Error);
  std::string bad_len = good;
  bad_len[0] = static_cast<char>(0xFF);
  bad_len[3] = static_cast<char>(0x7F);
  EXPECT_THROW(decode_safetensors(bad_len, "length"), Error);
  std::string bad_json = good;
  bad_json[8] = '[';
  EXPECT_THROW(decode_safetensors(bad_json, "json"), Error);
  std::string bad_dtype = good;
  bad_dtype.replace(bad_dtype.find("F32"), 3, "F64");
  EXPECT_THROW(decode_safetensors(bad_dtype, "dtype"), Error);
  EXPECT_THROW(f.at("missing"), Error);
  f.tensors["u"] = Tensor{{4}, {1, 2}};
  EXPECT_THROW(encode_safetensors(f), Error);
  test::TempDir dir("nn_safetensors_bad");
  write_safetensors(dir.path() / "plain.safetensors", SafetensorsFile{});
  EXPECT_THROW(load_mlp(dir.path() / "plain.safetensors"), Error);
  EXPECT_THROW(load_mlp(dir.path() / "absent.safetensors"), Error);
}

}  // namespace
}  // namespace audify::nn
