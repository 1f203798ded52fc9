// The CPU CNN layers (framework/nn/cnn): every layer's input and parameter gradients against
// central finite differences, Keras's shape rules, a tiny CNN that must learn a separable image
// set, and bit-identical training for a seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

#include "core/error.h"
#include "nn/cnn/batch_norm.h"
#include "nn/cnn/cnn_trainer.h"
#include "nn/cnn/conv2d.h"
#include "nn/cnn/dense.h"
#include "nn/cnn/dropout.h"
#include "nn/cnn/flatten.h"
#include "nn/cnn/max_pool2d.h"
#include "nn/cnn/relu.h"
#include "nn/cnn/sequential.h"
#include "nn/dropout.h"

namespace audify::nn::cnn {
namespace {

Tensor random_tensor(Shape s, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(s);
  std::uniform_real_distribution<float> u(lo, hi);
  for (float& v : t.data) v = u(rng);
  return t;
}

// L = sum(r * layer(x)) (+ the Dense penalty), in double.
double projected_loss(Layer& layer, const Tensor& x, const std::vector<float>& r,
                      const Pass& pass) {
  Tensor y;
  layer.forward(x, y, pass);
  double loss = 0;
  for (std::size_t i = 0; i < y.data.size(); ++i) loss += static_cast<double>(r[i]) * y.data[i];
  if (const auto* dense = dynamic_cast<const Dense*>(&layer)) loss += dense->penalty();
  return loss;
}

// Central differences with step eps in float; linear layers make them exact up to rounding, so
// the bound is set by float rounding of the outputs (~1e-6 of the loss over 2 eps).
constexpr float kEps = 1e-2f;
constexpr double kTolerance = 2e-3;

void expect_close(double analytic, double numeric, const std::string& what) {
  EXPECT_NEAR(analytic, numeric, kTolerance * std::max(1.0, std::abs(numeric))) << what;
}

void check_gradients(Layer& layer, Tensor x, const Pass& pass, bool check_input = true) {
  std::mt19937 rng(99);
  Tensor y;
  layer.forward(x, y, pass);
  ASSERT_EQ(y.shape, layer.output_shape(x.shape));
  const Tensor r = random_tensor(y.shape, rng);
  Tensor dx;
  layer.backward(x, y, r, &dx);
  ASSERT_EQ(dx.shape, x.shape);
  std::vector<std::vector<float>> analytic;
  for (Param* p : layer.params()) analytic.push_back(p->grad);

  std::size_t checked = 0;
  // Central difference of the projected loss in one value, against its analytic gradient.
  const auto check = [&](float& value, float analytic_grad, const std::string& what) {
    const float saved = value;
    value = saved + kEps;
    const double up = projected_loss(layer, x, r.data, pass);
    value = saved - kEps;
    const double down = projected_loss(layer, x, r.data, pass);
    value = saved;
    expect_close(analytic_grad, (up - down) / (2.0 * kEps), what);
    ++checked;
  };
  const auto params = layer.params();
  for (std::size_t k = 0; k < params.size(); ++k) {
    Param& p = *params[k];
    for (std::size_t i = 0; i < p.value.size(); ++i)
      check(p.value[i], analytic[k][i], fmt::format("{} {}[{}]", layer.kind(), p.name, i));
  }
  if (check_input) {
    for (std::size_t i = 0; i < x.data.size(); ++i)
      check(x.data[i], dx.data[i], fmt::format("{} dx[{}]", layer.kind(), i));
  }
  EXPECT_GT(checked, 0u);
}

TEST(CnnGradients, Conv2dStridedMultiChannel) {
  std::mt19937 rng(1);
  Conv2d conv(
      {.channels = 2, .filters = 3, .kernel_h = 3, .kernel_w = 2, .stride_h = 2, .stride_w = 3},
      "conv", {7, 0});
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  for (float& b : conv.bias().value) b = u(rng);  // a zero bias would hide a missing bias term
  check_gradients(conv, random_tensor({2, 2, 7, 9}, rng), Pass{});
}

TEST(CnnGradients, Conv2dUnitStride) {
  std::mt19937 rng(2);
  Conv2d conv({.channels = 1, .filters = 2, .kernel_h = 5, .kernel_w = 5}, "conv", {7, 1});
  check_gradients(conv, random_tensor({3, 1, 8, 7}, rng), Pass{});
}

// A one-channel convolution (SB-CNN's first layer) against the definition in double: a non-zero
// bias, the filter and bias gradients of a batch.
TEST(CnnLayers, SingleChannelConvolutionIsTheDefinition) {
  std::mt19937 rng(12);
  const int n = 3, h = 9, w = 41, f = 4, kh = 3, kw = 5, oh = h - kh + 1, ow = w - kw + 1;
  Conv2d conv({.channels = 1, .filters = f, .kernel_h = kh, .kernel_w = kw}, "conv", {5, 0});
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  for (float& b : conv.bias().value) b = u(rng);
  const Tensor x = random_tensor({n, 1, h, w}, rng);
  Tensor y;
  conv.forward(x, y, Pass{});
  ASSERT_EQ(y.shape, (Shape{n, f, oh, ow}));
  const Tensor dy = random_tensor(y.shape, rng);
  conv.backward(x, y, dy, nullptr);
  const auto at = [](const Tensor& t, int s, int c, int r, int col) {
    return static_cast<double>(
        t.data[((static_cast<std::size_t>(s) * t.shape.c + c) * t.shape.h + r) * t.shape.w + col]);
  };
  std::vector<double> dw(static_cast<std::size_t>(f) * kh * kw, 0.0), db(f, 0.0);
  for (int s = 0; s < n; ++s)
    for (int o = 0; o < f; ++o)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double sum = conv.bias().value[static_cast<std::size_t>(o)];
          const double g = at(dy, s, o, oy, ox);
          db[static_cast<std::size_t>(o)] += g;
          for (int i = 0; i < kh; ++i)
            for (int j = 0; j < kw; ++j) {
              const std::size_t k = (static_cast<std::size_t>(o) * kh + i) * kw + j;
              sum += conv.weight().value[k] * at(x, s, 0, oy + i, ox + j);
              dw[k] += g * at(x, s, 0, oy + i, ox + j);
            }
          ASSERT_NEAR(at(y, s, o, oy, ox), sum, 1e-5) << s << " " << o << " " << oy << " " << ox;
        }
  for (std::size_t k = 0; k < dw.size(); ++k) EXPECT_NEAR(conv.weight().grad[k], dw[k], 1e-4) << k;
  for (int o = 0; o < f; ++o)
    EXPECT_NEAR(conv.bias().grad[static_cast<std::size_t>(o)], db[static_cast<std::size_t>(o)],
                1e-4);
}

TEST(CnnGradients, MaxPoolAwayFromTies) {
  // Distinct values 0.1 apart, so a +-eps step never changes which input wins.
  Tensor x({2, 3, 9, 7});
  for (std::size_t i = 0; i < x.data.size(); ++i) x.data[i] = 0.1f * static_cast<float>(i);
  std::mt19937 rng(3);
  std::shuffle(x.data.begin(), x.data.end(), rng);
  MaxPool2d pool(4, 2, "pool");
  check_gradients(pool, x, Pass{});
}

// Each output against a plain scan of its window in row-major order with a strict >, on values
// drawn from {0, 1, 2}, so most windows hold ties: the winner must be the first maximum, and the
// gradient must reach exactly that input (the rows and columns past the last window get none).
TEST(CnnLayers, MaxPoolPicksTheFirstMaximumInRowMajorOrder) {
  std::mt19937 rng(11);
  for (const auto& [ph, pw] : {std::pair{4, 2}, {2, 3}, {3, 1}, {1, 4}}) {
    Tensor x({2, 3, 11, 13});
    for (float& v : x.data) v = static_cast<float>(rng() % 3);
    MaxPool2d pool(ph, pw, "pool");
    Tensor y, dx;
    pool.forward(x, y, Pass{});
    Tensor dy(y.shape, 0.0f);
    for (std::size_t i = 0; i < dy.data.size(); ++i) dy.data[i] = static_cast<float>(i + 1);
    pool.backward(x, y, dy, &dx);
    std::vector<float> expected_dx(x.data.size(), 0.0f);
    for (int p = 0; p < x.shape.n * x.shape.c; ++p)
      for (int oy = 0; oy < y.shape.h; ++oy)
        for (int ox = 0; ox < y.shape.w; ++ox) {
          std::size_t best = 0;
          float best_value = -1;
          for (int i = 0; i < ph; ++i)
            for (int j = 0; j < pw; ++j) {
              const std::size_t at =
                  (static_cast<std::size_t>(p) * 11 + oy * ph + i) * 13 + ox * pw + j;
              if (x.data[at] > best_value) {
                best_value = x.data[at];
                best = at;
              }
            }
          const std::size_t out = (static_cast<std::size_t>(p) * y.shape.h + oy) * y.shape.w + ox;
          ASSERT_EQ(y.data[out], best_value) << ph << "x" << pw;
          expected_dx[best] = dy.data[out];
        }
    EXPECT_EQ(dx.data, expected_dx) << ph << "x" << pw;
  }
}

TEST(CnnGradients, ReluAwayFromZero) {
  std::mt19937 rng(4);
  Tensor x = random_tensor({2, 2, 3, 4}, rng);
  for (float& v : x.data) v += v >= 0 ? 0.1f : -0.1f;
  Relu relu;
  check_gradients(relu, x, Pass{});
}

TEST(CnnGradients, DenseWithL2) {
  std::mt19937 rng(5);
  Dense dense(12, 5, 1e-1, "dense", {7, 2});
  check_gradients(dense, random_tensor({4, 3, 2, 2}, rng), Pass{});
}

TEST(CnnGradients, BatchNormTrainingAndInference) {
  std::mt19937 rng(6);
  BatchNorm bn(3, "bn");
  std::uniform_real_distribution<float> u(0.5f, 1.5f);
  for (float& g : bn.params()[0]->value) g = u(rng);
  for (float& b : bn.params()[1]->value) b = u(rng) - 1.0f;
  const Tensor x = random_tensor({4, 3, 3, 5}, rng, -2.0f, 3.0f);
  check_gradients(bn, x, Pass{.training = true});
  check_gradients(bn, x, Pass{});
}

TEST(CnnGradients, DropoutAndFlatten) {
  std::mt19937 rng(7);
  Dropout dropout(0.5, 3, "dropout");
  const Pass train{.training = true, .seed = 11, .step = 4};
  check_gradients(dropout, random_tensor({3, 2, 2, 5}, rng), train);
  Flatten flatten;
  check_gradients(flatten, random_tensor({3, 2, 2, 5}, rng), Pass{});
}

TEST(CnnLayers, DropoutDrawsTheMlpMasksAndIsOffAtInference) {
  std::mt19937 rng(8);
  const Tensor x = random_tensor({4, 1, 1, 64}, rng, 1.0f, 2.0f);
  Dropout dropout(0.5, 2, "dropout");
  Tensor y;
  dropout.forward(x, y, Pass{.training = true, .seed = 5, .step = 9});
  std::vector<float> scale(x.data.size());
  fill_dropout_scale(5, 9, 2, 0.5, static_cast<int>(scale.size()), scale.data());
  int dropped = 0;
  for (std::size_t i = 0; i < x.data.size(); ++i) {
    EXPECT_EQ(y.data[i], x.data[i] * scale[i]);
    dropped += y.data[i] == 0.0f;
  }
  EXPECT_GT(dropped, 64);  // about half of 256
  EXPECT_LT(dropped, 192);
  dropout.forward(x, y, Pass{});
  EXPECT_EQ(y.data, x.data);
}

TEST(CnnLayers, ShapesFollowKerasValidConvolutionAndFlooredPooling) {
  Conv2d conv({.channels = 1, .filters = 24, .kernel_h = 5, .kernel_w = 5}, "conv", {0, 0});
  EXPECT_EQ(conv.output_shape({32, 1, 128, 128}), (Shape{32, 24, 124, 124}));
  MaxPool2d pool(4, 2, "pool");
  EXPECT_EQ(pool.output_shape({32, 48, 27, 58}), (Shape{32, 48, 6, 29}));  // 27 / 4 floors to 6
  Conv2d strided(
      {.channels = 3, .filters = 2, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2},
      "strided", {0, 0});
  EXPECT_EQ(strided.output_shape({1, 3, 8, 9}), (Shape{1, 2, 3, 4}));
  EXPECT_THROW(conv.output_shape({1, 2, 128, 128}), Error);  // wrong channel count
  EXPECT_THROW(conv.output_shape({1, 1, 4, 128}), Error);    // smaller than the kernel
  EXPECT_THROW(MaxPool2d(0, 2, "pool"), Error);
  EXPECT_THROW(Dropout(1.0, 0, "dropout"), Error);
}

TEST(CnnLayers, ConvolutionMatchesTheDirectSum) {
  std::mt19937 rng(9);
  Conv2d conv(
      {.channels = 2, .filters = 3, .kernel_h = 3, .kernel_w = 2, .stride_h = 1, .stride_w = 2},
      "conv", {3, 0});
  for (float& b : conv.bias().value) b = 0.25f;
  const Tensor x = random_tensor({2, 2, 6, 7}, rng);
  Tensor y;
  conv.forward(x, y, Pass{});
  for (int n = 0; n < 2; ++n)
    for (int f = 0; f < 3; ++f)
      for (int oy = 0; oy < y.shape.h; ++oy)
        for (int ox = 0; ox < y.shape.w; ++ox) {
          double want = 0.25;
          for (int c = 0; c < 2; ++c)
            for (int i = 0; i < 3; ++i)
              for (int j = 0; j < 2; ++j)
                want += static_cast<double>(conv.weight().value[((f * 2 + c) * 3 + i) * 2 + j]) *
                        x.sample(n)[(c * 6 + oy + i) * 7 + ox * 2 + j];
          EXPECT_NEAR(y.sample(n)[(f * y.shape.h + oy) * y.shape.w + ox], want, 1e-5);
        }
}

TEST(CnnLayers, ThreadsDoNotChangeAnyBitOfConvolutionOrPooling) {
  std::mt19937 rng(4);
  const Tensor x = random_tensor({11, 3, 9, 8}, rng);      // 11 samples: slices of unequal size
  const Tensor mono = random_tensor({11, 1, 9, 20}, rng);  // one channel, as SB-CNN's first layer
  struct Result {
    std::vector<float> y, dx, dw, db;
    bool operator==(const Result&) const = default;
  };
  const auto run = [](const Tensor& input, const Conv2dConfig& config, int threads) {
    Conv2d conv(config, "conv", {7, 0});
    conv.set_threads(threads);
    Tensor y, dx;
    conv.forward(input, y, Pass{});
    std::mt19937 grad_rng(5);
    const Tensor dy = random_tensor(y.shape, grad_rng);
    conv.backward(input, y, dy, &dx);
    return Result{y.data, dx.data, conv.weight().grad, conv.bias().grad};
  };
  const Conv2dConfig strided{
      .channels = 3, .filters = 5, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 1};
  const Conv2dConfig single{.channels = 1, .filters = 4, .kernel_h = 3, .kernel_w = 5};
  const Result one = run(x, strided, 1), one_mono = run(mono, single, 1);
  for (int threads : {2, 3, 8, 16}) {
    EXPECT_TRUE(run(x, strided, threads) == one) << threads;
    EXPECT_TRUE(run(mono, single, threads) == one_mono) << threads;
  }
  EXPECT_NE(std::count(one.dw.begin(), one.dw.end(), 0.0f), static_cast<long>(one.dw.size()));
  EXPECT_NE(std::count(one_mono.dw.begin(), one_mono.dw.end(), 0.0f),
            static_cast<long>(one_mono.dw.size()));
  // Pooling splits the channel planes over the threads.
  const auto pool = [&](int threads) {
    MaxPool2d p(2, 3, "pool");
    p.set_threads(threads);
    Tensor y, dx;
    p.forward(x, y, Pass{});
    std::mt19937 grad_rng(6);
    p.backward(x, y, random_tensor(y.shape, grad_rng), &dx);
    return std::pair{y.data, dx.data};
  };
  EXPECT_EQ(pool(5), pool(1));
}

// Horizontal (class 0) or vertical (class 1) stripes of random period phase, plus noise.
void stripes(int count, uint32_t seed, Tensor& x, std::vector<int>& labels) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  x = Tensor({count, 1, 12, 12});
  labels.resize(static_cast<std::size_t>(count));
  for (int s = 0; s < count; ++s) {
    const int label = static_cast<int>(rng() % 2), phase = static_cast<int>(rng() % 4);
    labels[static_cast<std::size_t>(s)] = label;
    for (int r = 0; r < 12; ++r)
      for (int c = 0; c < 12; ++c)
        x.sample(s)[r * 12 + c] =
            (((label == 0 ? r : c) + phase) % 4 < 2 ? 1.0f : -1.0f) + noise(rng);
  }
}

Sequential tiny_cnn(uint64_t seed) {
  Sequential net({0, 1, 12, 12});
  net.add(std::make_unique<Conv2d>(
      Conv2dConfig{.channels = 1, .filters = 4, .kernel_h = 3, .kernel_w = 3}, "conv0",
      InitSeed{seed, 0}));
  net.add(std::make_unique<BatchNorm>(4, "bn0"));
  net.add(std::make_unique<MaxPool2d>(2, 2, "pool0"));
  net.add(std::make_unique<Relu>());
  net.add(std::make_unique<Flatten>());
  net.add(std::make_unique<Dropout>(0.25, 0, "dropout0"));
  net.add(std::make_unique<Dense>(4 * 5 * 5, 2, 1e-3, "dense0", InitSeed{seed, 1}));
  return net;
}

std::vector<float> train_tiny(uint64_t seed, Tensor& test_x, std::vector<int>& test_y,
                              double* accuracy) {
  Tensor x;
  std::vector<int> y;
  stripes(256, 1, x, y);
  Sequential net = tiny_cnn(seed);
  CnnTrainer trainer(net, AdamHyper{.lr = 1e-2}, seed);
  Tensor batch;
  for (int epoch = 0; epoch < 4; ++epoch)
    for (int start = 0; start < 256; start += 16) {
      batch.reshape({16, 1, 12, 12});
      std::copy(x.sample(start), x.sample(start + 16), batch.data.begin());
      trainer.step(batch, {y.data() + start, 16});
    }
  stripes(200, 2, test_x, test_y);
  const std::vector<int> predicted = predict(net, test_x);
  int correct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == test_y[i];
  *accuracy = correct / 200.0;
  std::vector<float> weights;
  for (Param* p : net.params()) weights.insert(weights.end(), p->value.begin(), p->value.end());
  return weights;
}

TEST(TinyCnn, LearnsStripeOrientationAndIsDeterministicForASeed) {
  Tensor test_x;
  std::vector<int> test_y;
  double accuracy = 0, again = 0, other = 0;
  const std::vector<float> first = train_tiny(3, test_x, test_y, &accuracy);
  std::printf("  tiny CNN, stripes: held-out accuracy %.3f after 64 steps\n", accuracy);
  EXPECT_GE(accuracy, 0.98);
  EXPECT_EQ(train_tiny(3, test_x, test_y, &again), first);  // bit for bit
  EXPECT_NE(train_tiny(4, test_x, test_y, &other), first);
  EXPECT_GE(other, 0.98);
}

TEST(TinyCnn, ForwardBackwardGradientsMatchFiniteDifferencesThroughTheChain) {
  // The whole network (softmax cross-entropy included) at once: a wiring error between layers
  // that every single-layer check misses shows here. Only smooth layers, so that no ReLU or pooling
  // kink sits within a step of the perturbed point; batch norm on batch statistics.
  Tensor x;
  std::vector<int> y;
  stripes(6, 5, x, y);
  Sequential net({0, 1, 12, 12});
  net.add(std::make_unique<Conv2d>(
      Conv2dConfig{.channels = 1, .filters = 2, .kernel_h = 3, .kernel_w = 3}, "conv0",
      InitSeed{1, 0}));
  net.add(std::make_unique<BatchNorm>(2, "bn0"));
  net.add(std::make_unique<Conv2d>(
      Conv2dConfig{
          .channels = 2, .filters = 2, .kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2},
      "conv1", InitSeed{1, 1}));
  net.add(std::make_unique<Flatten>());
  net.add(std::make_unique<Dense>(2 * 4 * 4, 3, 0.0, "dense0", InitSeed{1, 2}));
  CnnTrainer trainer(net, AdamHyper{}, 1);
  trainer.forward_backward(x, y);
  Param& w = *net.params()[0];  // the first convolution's kernel: the longest chain
  const std::vector<float> analytic = w.grad;
  for (std::size_t i = 0; i < w.value.size(); ++i) {
    const float saved = w.value[i];
    double loss[2];
    for (int side = 0; side < 2; ++side) {
      w.value[i] = saved + (side == 0 ? 1e-2f : -1e-2f);
      loss[side] = trainer.forward_backward(x, y).loss_sum / 6.0;
    }
    w.value[i] = saved;
    expect_close(analytic[i], (loss[0] - loss[1]) / 2e-2, fmt::format("conv0.weight[{}]", i));
  }
}

}  // namespace
}  // namespace audify::nn::cnn
