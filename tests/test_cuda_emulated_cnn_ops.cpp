// Conformance of the GPU CNN's operations with the CPU backend (nn/cnn), in host emulation: the
// DNN layer (convolution forward / backward-data / backward-filter, max pooling forward /
// backward) and the kernels around it (bias + ReLU, the bias gradient, Philox dropout, batch norm
// in training and inference, the window gather, the loss on one-hot and soft targets), each at
// small random shapes against the CPU layer it stands for, the shape printed on failure.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "dnn_api.h"
#include "gpu_api.h"
#include "kernels/batch_norm.cuh"
#include "kernels/cnn_activation.cuh"
#include "kernels/softmax_xent.cuh"
#include "kernels/window_gather.cuh"
#include "nn/cnn/batch_norm.h"
#include "nn/cnn/clip_windows.h"
#include "nn/cnn/conv2d.h"
#include "nn/cnn/dropout.h"
#include "nn/cnn/max_pool2d.h"
#include "nn/cnn/relu.h"
#include "nn/dropout_mask.h"
#include "nn/softmax_xent.h"

namespace audify {
namespace {

using gpu::DeviceArray;
using nn::cnn::Shape;
using nn::cnn::Tensor;

std::vector<float> random_values(std::mt19937& rng, std::size_t n, float lo = -1, float hi = 1) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

Tensor random_tensor(std::mt19937& rng, Shape s) {
  Tensor t(s);
  t.data = random_values(rng, s.size());
  return t;
}

// Device copies in and out of the emulated API (host memory there, but through its calls).
class CnnOps : public ::testing::Test {
 protected:
  std::unique_ptr<gpu::GpuApi> api = gpu::make_poisoned_emulated_api();
  std::unique_ptr<gpu::DnnApi> dnn = api->make_dnn();
  std::vector<std::unique_ptr<DeviceArray<float>>> arrays;

  float* device(std::span<const float> host) {
    arrays.push_back(std::make_unique<DeviceArray<float>>(*api));
    arrays.back()->upload(host.data(), host.size());
    return arrays.back()->get();
  }
  float* device_empty(std::size_t n) {
    arrays.push_back(std::make_unique<DeviceArray<float>>(*api));
    return arrays.back()->grow(n);
  }
  std::vector<float> host(const float* d, std::size_t n) {
    std::vector<float> out(n);
    api->memcpy_d2h(out.data(), d, n * sizeof(float));
    api->synchronize();
    return out;
  }
};

// |a - b| <= tol * (1 + |b|) everywhere.
void expect_near(const std::vector<float>& a, const std::vector<float>& b, double tol,
                 const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], tol * (1 + std::abs(b[i]))) << what << " at " << i;
}

TEST_F(CnnOps, DnnLayerIsTheCpuConvolutionOnTheEmulatedFace) {
  EXPECT_EQ(dnn->name(), "cudnn-emulated");
  std::mt19937 rng(7);
  for (int trial = 0; trial < 6; ++trial) {
    std::uniform_int_distribution<int> small(1, 3), size(5, 11), kernel(1, 4);
    nn::cnn::Conv2dConfig c;
    c.channels = small(rng);
    c.filters = small(rng) + 1;
    c.kernel_h = kernel(rng);
    c.kernel_w = kernel(rng);
    c.stride_h = small(rng);
    c.stride_w = small(rng);
    const Shape in{small(rng), c.channels, size(rng), size(rng)};
    const std::string what =
        fmt::format("x {}x{}x{}x{}, {} filters {}x{} stride {}x{}", in.n, in.c, in.h, in.w,
                    c.filters, c.kernel_h, c.kernel_w, c.stride_h, c.stride_w);
    nn::cnn::Conv2d conv(c, "conv", {static_cast<uint64_t>(trial), 0});
    const Tensor x = random_tensor(rng, in);
    Tensor y;
    conv.forward(x, y, {});
    const Tensor dy = random_tensor(rng, y.shape);
    Tensor dx;
    conv.backward(x, y, dy, &dx);

    const gpu::ConvGeometry g{in.n,       in.c,       in.h,       in.w,      c.filters,
                              c.kernel_h, c.kernel_w, c.stride_h, c.stride_w};
    ASSERT_EQ(g.out_h(), y.shape.h) << what;
    ASSERT_EQ(g.out_w(), y.shape.w) << what;
    const float* d_x = device(x.data);
    const float* d_w = device(conv.weight().value);
    const float* d_dy = device(dy.data);
    float* d_y = device_empty(y.data.size());
    float* d_dx = device_empty(x.data.size());
    float* d_dw = device_empty(conv.weight().value.size());
    dnn->conv_forward(g, d_x, d_w, d_y);
    dnn->conv_backward_data(g, d_w, d_dy, d_dx);
    dnn->conv_backward_filter(g, d_x, d_dy, d_dw);
    expect_near(host(d_y, y.data.size()), y.data, 1e-6, what + ": forward");
    expect_near(host(d_dx, dx.data.size()), dx.data, 1e-6, what + ": backward data");
    expect_near(host(d_dw, conv.weight().grad.size()), conv.weight().grad, 1e-6,
                what + ": backward filter");
  }
}

TEST_F(CnnOps, DnnPoolingIsTheCpuMaxPool) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 6; ++trial) {
    std::uniform_int_distribution<int> small(1, 3), size(4, 13);
    const int ph = small(rng), pw = small(rng);
    const Shape in{small(rng), small(rng), size(rng), size(rng)};
    const std::string what =
        fmt::format("x {}x{}x{}x{}, pool {}x{}", in.n, in.c, in.h, in.w, ph, pw);
    nn::cnn::MaxPool2d pool(ph, pw, "pool");
    const Tensor x = random_tensor(rng, in);
    Tensor y;
    pool.forward(x, y, {});
    const Tensor dy = random_tensor(rng, y.shape);
    Tensor dx;
    pool.backward(x, y, dy, &dx);

    const gpu::PoolGeometry g{in.n, in.c, in.h, in.w, ph, pw};
    const float* d_x = device(x.data);
    const float* d_dy = device(dy.data);
    float* d_y = device_empty(y.data.size());
    float* d_dx = device_empty(x.data.size());
    dnn->pool_forward(g, d_x, d_y);
    dnn->pool_backward(g, d_x, d_y, d_dy, d_dx);
    EXPECT_EQ(host(d_y, y.data.size()), y.data) << what;
    EXPECT_EQ(host(d_dx, dx.data.size()), dx.data) << what;
  }
}

TEST_F(CnnOps, BiasReluAndItsBackwardMatchTheCpu) {
  std::mt19937 rng(3);
  const Shape s{3, 4, 5, 6};
  const Tensor x = random_tensor(rng, s);
  const std::vector<float> bias = random_values(rng, 4);
  Tensor biased(s);
  for (std::size_t e = 0; e < x.data.size(); ++e)
    biased.data[e] = x.data[e] + bias[e / (s.h * s.w) % s.c];
  nn::cnn::Relu relu;
  Tensor y;
  relu.forward(biased, y, {});
  const Tensor dy = random_tensor(rng, s);
  Tensor dx;
  relu.backward(biased, y, dy, &dx);

  const long long count = static_cast<long long>(s.size()), plane = s.h * s.w;
  float* d_y = device_empty(x.data.size());
  api->launch(gpu::BiasReluKernel{{}, device(x.data), d_y, device(bias), count, plane, s.c, true},
              gpu::BiasReluKernel::shape(count));
  EXPECT_EQ(host(d_y, x.data.size()), y.data);
  float* d_dx = device_empty(x.data.size());
  api->launch(gpu::ReluBackwardKernel{{}, d_y, device(dy.data), d_dx, count},
              gpu::ReluBackwardKernel::shape(count));
  EXPECT_EQ(host(d_dx, x.data.size()), dx.data);

  // The bias gradient: Conv2d's db (a 1x1 identity convolution has dy as its output gradient).
  nn::cnn::Conv2d conv({s.c, s.c, 1, 1, 1, 1}, "conv", {0, 0});
  Tensor conv_y;
  conv.forward(x, conv_y, {});
  conv.backward(x, conv_y, dy, nullptr);
  float* d_sum = device_empty(static_cast<std::size_t>(s.c));
  api->launch(gpu::ChannelSumKernel{device(dy.data), d_sum, s.n, s.c, plane},
              gpu::ChannelSumKernel::shape(s.c));
  expect_near(host(d_sum, s.c), conv.bias().grad, 1e-5, "bias gradient");
}

TEST_F(CnnOps, DropoutMasksAreTheCpuMasksBitForBit) {
  std::mt19937 rng(5);
  const Shape s{4, 3, 7, 5};  // 420 elements: the CPU's four-word groups and its remainder
  const Tensor x = random_tensor(rng, s);
  const Tensor dy = random_tensor(rng, s);
  for (const double rate : {0.25, 0.5}) {
    const uint32_t layer = 6, step = 17;
    const uint64_t seed = 1234;
    nn::cnn::Dropout drop(rate, layer, "dropout");
    Tensor y, dx;
    drop.forward(x, y, {true, seed, step});
    drop.backward(x, y, dy, &dx);

    const long long count = static_cast<long long>(s.size());
    float* d_y = device_empty(x.data.size());
    float* d_scale = device_empty(x.data.size());
    api->launch(gpu::DropoutKernel{{},
                                   device(x.data),
                                   d_y,
                                   d_scale,
                                   count,
                                   seed,
                                   nn::dropout_threshold(rate),
                                   static_cast<float>(1.0 / (1.0 - rate)),
                                   step,
                                   layer},
                gpu::DropoutKernel::shape(count));
    EXPECT_EQ(host(d_y, x.data.size()), y.data) << "rate " << rate;
    float* d_dx = device_empty(x.data.size());
    api->launch(gpu::ScaleKernel{{}, device(dy.data), d_scale, d_dx, count},
                gpu::ScaleKernel::shape(count));
    EXPECT_EQ(host(d_dx, x.data.size()), dx.data) << "rate " << rate;
  }
}

TEST_F(CnnOps, BatchNormMatchesTheCpuInTrainingAndInference) {
  std::mt19937 rng(9);
  const Shape s{3, 5, 6, 7};
  const long long count = static_cast<long long>(s.size()), plane = s.h * s.w;
  nn::cnn::BatchNorm bn(s.c, "bn");
  bn.params()[0]->value = random_values(rng, s.c, 0.5f, 1.5f);  // gamma
  bn.params()[1]->value = random_values(rng, s.c);              // beta
  const std::vector<float> gamma = bn.params()[0]->value, beta = bn.params()[1]->value;
  float* d_gamma = device(gamma);
  float* d_beta = device(beta);
  float* d_running_mean = device(bn.running_mean());
  float* d_running_var = device(bn.running_var());
  float* d_mean = device_empty(s.c);
  float* d_inv_std = device_empty(s.c);
  for (const bool training : {true, true, false}) {
    const std::string what = training ? "training" : "inference";
    Tensor x = random_tensor(rng, s);
    for (float& v : x.data) v = 3.0f + 2.0f * v;  // off-centre, so the mean matters
    Tensor y, dx;
    bn.forward(x, y, {training, 0, 0});
    const Tensor dy = random_tensor(rng, s);
    bn.backward(x, y, dy, &dx);

    const float* d_x = device(x.data);
    float* d_y = device_empty(x.data.size());
    float* d_dx = device_empty(x.data.size());
    float* d_dgamma = device_empty(s.c);
    float* d_dbeta = device_empty(s.c);
    api->launch(gpu::BatchNormStatsKernel{d_x, d_mean, d_inv_std, d_running_mean, d_running_var,
                                          0.99, 1e-3, plane, s.n, s.c, training},
                gpu::BatchNormStatsKernel::shape(s.c));
    api->launch(
        gpu::BatchNormApplyKernel{
            {}, d_x, d_y, d_gamma, d_beta, d_mean, d_inv_std, count, plane, s.c},
        gpu::BatchNormApplyKernel::shape(count));
    api->launch(gpu::BatchNormBackwardKernel{d_x, device(dy.data), d_dx, d_gamma, d_mean, d_inv_std,
                                             d_dgamma, d_dbeta, plane, s.n, s.c, training},
                gpu::BatchNormBackwardKernel::shape(s.c));
    expect_near(host(d_y, x.data.size()), y.data, 1e-5, what + ": y");
    expect_near(host(d_dx, x.data.size()), dx.data, 1e-4, what + ": dx");
    expect_near(host(d_dgamma, s.c), bn.params()[0]->grad, 1e-5, what + ": gamma grad");
    expect_near(host(d_dbeta, s.c), bn.params()[1]->grad, 1e-5, what + ": beta grad");
    expect_near(host(d_running_mean, s.c), bn.running_mean(), 1e-6, what + ": running mean");
    expect_near(host(d_running_var, s.c), bn.running_var(), 1e-6, what + ": running var");
  }
}

TEST_F(CnnOps, WindowGatherIsCopyWindowWithItsPadding) {
  std::mt19937 rng(13);
  const int bands = 6, window = 8;
  const std::vector<int> lengths{12, 5, 8, 20};  // shorter than, equal to, longer than the window
  std::vector<float> frames;
  std::vector<long long> offsets;
  std::vector<int> clip_frames;
  std::vector<float> floors;
  for (int n : lengths) {
    offsets.push_back(static_cast<long long>(frames.size()));
    const std::vector<float> clip = random_values(rng, static_cast<std::size_t>(n) * bands, -80, 0);
    frames.insert(frames.end(), clip.begin(), clip.end());
    clip_frames.push_back(n);
    floors.push_back(*std::min_element(clip.begin(), clip.end()));
  }
  const nn::cnn::InputScaling scaling{-40.0f, 0.05f};
  const std::vector<int> batch_clips{3, 1, 0, 2, 3};
  std::vector<int> starts;
  std::vector<float> expected(batch_clips.size() * bands * window);
  for (std::size_t s = 0; s < batch_clips.size(); ++s) {
    const int c = batch_clips[s];
    starts.push_back(
        nn::cnn::random_window_start(lengths[c], window, 99, 2, static_cast<uint32_t>(s)));
    nn::cnn::copy_window(std::span<const float>(frames.data() + offsets[c],
                                                static_cast<std::size_t>(lengths[c]) * bands),
                         bands, starts.back(), window, scaling,
                         expected.data() + s * bands * window);
  }
  DeviceArray<long long> d_offsets(*api);
  d_offsets.upload(offsets.data(), offsets.size());
  DeviceArray<int> d_frames(*api), d_clips(*api), d_starts(*api);
  d_frames.upload(clip_frames.data(), clip_frames.size());
  d_clips.upload(batch_clips.data(), batch_clips.size());
  d_starts.upload(starts.data(), starts.size());
  float* d_images = device_empty(expected.size());
  const auto count = static_cast<long long>(expected.size());
  api->launch(gpu::WindowGatherKernel{{},
                                      device(frames),
                                      d_offsets.get(),
                                      d_frames.get(),
                                      device(floors),
                                      d_clips.get(),
                                      d_starts.get(),
                                      d_images,
                                      count,
                                      scaling.mean,
                                      scaling.inv_std,
                                      bands,
                                      window},
              gpu::WindowGatherKernel::shape(count));
  EXPECT_EQ(host(d_images, expected.size()), expected);
}

// The loss kernels are nn/softmax_xent.cpp's rows: the same gradients, sums and counts, bit for
// bit, on one-hot labels (SoftmaxXentKernel, zero bias) and on mixup-like soft targets.
TEST_F(CnnOps, SoftmaxXentKernelsAreTheCpuLossOnHardAndSoftTargets) {
  std::mt19937 rng(13);
  const int rows = 5, classes = 7;
  const std::vector<float> logits = random_values(rng, rows * classes, -4, 4);
  std::vector<int> labels;
  std::vector<float> targets(rows * classes, 0.0f);
  for (int r = 0; r < rows; ++r) {
    labels.push_back((3 * r + 1) % classes);
    const float lambda = 0.2f + 0.15f * static_cast<float>(r);  // mixup: two classes blended
    targets[r * classes + labels.back()] += lambda;
    targets[r * classes + (r + 2) % classes] += 1.0f - lambda;
  }
  gpu::ModelStep step;
  step.rows = rows;
  gpu::DeviceArray<gpu::ModelStep> d_step(*api);
  d_step.upload(&step, 1);
  gpu::DeviceArray<int> d_labels(*api), row_correct(*api), correct(*api);
  gpu::DeviceArray<double> row_loss(*api), loss_sum(*api);
  d_labels.upload(labels.data(), labels.size());
  row_correct.grow(rows);
  row_loss.grow(rows);
  const std::vector<float> zero_bias(classes, 0.0f);
  for (const bool soft : {false, true}) {
    std::vector<float> want = logits;
    const nn::XentResult expected =
        soft ? nn::softmax_xent_soft_backward(rows, classes, want.data(), classes, targets.data())
             : nn::softmax_xent_backward(rows, classes, want.data(), classes, labels);
    const double start_loss = 0.5;  // the kernels add to the running sums
    const int start_correct = 2;
    loss_sum.upload(&start_loss, 1);
    correct.upload(&start_correct, 1);
    float* z = device(logits);
    if (soft)
      api->launch(gpu::SoftmaxXentSoftKernel{z, device(targets), d_step.get(), row_loss.get(),
                                             row_correct.get(), loss_sum.get(), correct.get(),
                                             classes, rows},
                  gpu::SoftmaxXentSoftKernel::shape());
    else
      api->launch(gpu::SoftmaxXentKernel{z, device(zero_bias), 0, 0, d_labels.get(), d_step.get(),
                                         row_loss.get(), row_correct.get(), loss_sum.get(),
                                         correct.get(), classes, rows},
                  gpu::SoftmaxXentKernel::shape(1));
    double got_loss = 0;
    int got_correct = 0;
    api->memcpy_d2h(&got_loss, loss_sum.get(), sizeof(double));
    api->memcpy_d2h(&got_correct, correct.get(), sizeof(int));
    EXPECT_EQ(host(z, logits.size()), want) << (soft ? "soft" : "one-hot");
    EXPECT_EQ(got_loss, start_loss + expected.loss_sum) << (soft ? "soft" : "one-hot");
    EXPECT_EQ(got_correct, start_correct + expected.correct) << (soft ? "soft" : "one-hot");
  }
}

}  // namespace
}  // namespace audify
