// Each CPU layer becomes a device layer with its output buffer (max_batch samples); flatten, and
// dropout outside training, pass their input on. Backward runs the layers in reverse between two
// gradient buffers, as Sequential::backward does. Row-major (n, features) activations are
// column-major (features, n) matrices to GpuApi::gemm, which is how the dense layers' GEMMs below
// read.
#include "cnn_gpu.h"

#include <algorithm>
#include <map>
#include <string>

#include "core/error.h"
#include "kernels/adam.cuh"
#include "kernels/batch_norm.cuh"
#include "kernels/cnn_activation.cuh"
#include "kernels/sgd_momentum.cuh"
#include "kernels/softmax_xent.cuh"
#include "nn/cnn/batch_norm.h"
#include "nn/cnn/conv2d.h"
#include "nn/cnn/dense.h"
#include "nn/cnn/dropout.h"
#include "nn/cnn/max_pool2d.h"
#include "nn/dropout_mask.h"
#include "nn/flush_denormals.h"

namespace audify::gpu {

enum class LayerKind { conv, batch_norm, pool, relu, flatten, dropout, dense };

struct CnnGpu::Layer {
  LayerKind kind;
  nn::cnn::Layer* cpu;
  nn::cnn::Shape in, out;            // one sample's
  long long weight = 0, bias = 0;    // offsets in the flat parameter buffer
  DeviceArray<float> y;              // (max_batch, out) unless the input passes on
  DeviceArray<float> scale;          // dropout's mask of the last training forward
  DeviceArray<float> mean, inv_std;  // batch norm's of the last forward
  DeviceArray<float> running_mean, running_var;
  const float* x_last = nullptr;  // the last forward's input and output
  const float* y_last = nullptr;
  bool masked = false;  // the last forward applied dropout / used batch statistics

  Layer(GpuApi& api, LayerKind k, nn::cnn::Layer* l, nn::cnn::Shape i, nn::cnn::Shape o)
      : kind(k),
        cpu(l),
        in(i),
        out(o),
        y(api),
        scale(api),
        mean(api),
        inv_std(api),
        running_mean(api),
        running_var(api) {}
  long long out_count(int n) const { return static_cast<long long>(n) * out.sample_size(); }
};

namespace {

LayerKind kind_of(nn::cnn::Layer& layer, std::size_t index) {
  const std::string_view k = layer.kind();
  if (k == "conv2d") return LayerKind::conv;
  if (k == "batch_norm") return LayerKind::batch_norm;
  if (k == "max_pool2d") return LayerKind::pool;
  if (k == "relu") return LayerKind::relu;
  if (k == "flatten") return LayerKind::flatten;
  if (k == "dropout") return LayerKind::dropout;
  if (k == "dense") return LayerKind::dense;
  fail("gpu cnn: layer {} ({}) has no GPU implementation", index, k);
}

ConvGeometry conv_geometry(const nn::cnn::Conv2d& conv, const nn::cnn::Shape& in, int n) {
  const nn::cnn::Conv2dConfig& c = conv.config();
  return {n, in.c, in.h, in.w, c.filters, c.kernel_h, c.kernel_w, c.stride_h, c.stride_w};
}

template <typename T>
T& as(nn::cnn::Layer* layer) {
  return static_cast<T&>(*layer);
}

}  // namespace

CnnGpu::CnnGpu(GpuApi& api, nn::cnn::Sequential& net, int max_batch, const nn::AdamHyper& adam,
               uint64_t seed, nn::cnn::SgdMomentum sgd)
    : api_(api),
      dnn_(api.make_dnn()),
      net_(net),
      max_batch_(max_batch),
      adam_(adam),
      sgd_(sgd),
      seed_(seed),
      params_(api),
      grads_(api),
      m1_(api),
      m2_(api),
      zero_bias_(api),
      labels_(api),
      targets_(api),
      row_loss_(api),
      loss_sum_(api),
      row_correct_(api),
      correct_(api),
      step_(api),
      grad_a_(api),
      grad_b_(api) {
  AUDIFY_ASSERT(max_batch > 0);
  std::map<const nn::cnn::Param*, long long> offsets;
  std::vector<float> values;
  for (nn::cnn::Param* p : net.params()) {
    offsets[p] = static_cast<long long>(values.size());
    values.insert(values.end(), p->value.begin(), p->value.end());
  }
  param_count_ = static_cast<long long>(values.size());
  params_.upload(values.data(), values.size());
  grads_.grow(values.size());
  // Every buffer read before it is written starts from an upload, not from alloc's contents.
  const std::vector<float> zeros(values.size(), 0.0f);
  m1_.upload(zeros.data(), zeros.size());
  m2_.upload(zeros.data(), zeros.size());

  layers_.reserve(net.size());
  std::size_t grad_size = 0;
  for (std::size_t i = 0; i < net.size(); ++i) {
    nn::cnn::Layer& cpu = net.layer(i);
    const nn::cnn::Shape in = i == 0 ? net.input_shape() : layers_.back().out;
    const nn::cnn::Shape out = cpu.output_shape(in);
    Layer& l = layers_.emplace_back(api, kind_of(cpu, i), &cpu, in, out);
    const std::vector<nn::cnn::Param*> ps = cpu.params();
    if (ps.size() == 2) {
      l.weight = offsets.at(ps[0]);
      l.bias = offsets.at(ps[1]);
    }
    if (l.kind != LayerKind::flatten) l.y.grow(static_cast<std::size_t>(l.out_count(max_batch)));
    if (l.kind == LayerKind::dropout)
      l.scale.grow(static_cast<std::size_t>(l.out_count(max_batch)));
    if (l.kind == LayerKind::batch_norm) {
      auto& bn = as<nn::cnn::BatchNorm>(&cpu);
      l.mean.grow(bn.running_mean().size());
      l.inv_std.grow(bn.running_mean().size());
      l.running_mean.upload(bn.running_mean().data(), bn.running_mean().size());
      l.running_var.upload(bn.running_var().data(), bn.running_var().size());
    }
    grad_size = std::max(grad_size, static_cast<std::size_t>(max_batch) * in.sample_size());
  }
  classes_ = layers_.back().out.c;
  if (layers_.back().kind != LayerKind::dense ||
      layers_.back().out.sample_size() != static_cast<std::size_t>(classes_))
    fail("gpu cnn: the network must end in a dense layer of class logits");
  grad_a_.grow(grad_size);
  grad_b_.grow(grad_size);
  zero_bias_.upload(zeros.data(), static_cast<std::size_t>(classes_));
  labels_.grow(static_cast<std::size_t>(max_batch));
  targets_.grow(static_cast<std::size_t>(max_batch) * classes_);
  row_loss_.grow(static_cast<std::size_t>(max_batch));
  row_correct_.grow(static_cast<std::size_t>(max_batch));
  loss_sum_.grow(1);
  correct_.grow(1);
  step_.grow(1);
}

CnnGpu::~CnnGpu() = default;

const float* CnnGpu::forward(const float* images, int n, bool training) {
  AUDIFY_ASSERT(n > 0 && n <= max_batch_);
  input_ = images;
  const float* x = images;
  float* w = params_.get();
  for (Layer& l : layers_) {
    const long long count = l.out_count(n);
    float* y = l.y.get();
    l.x_last = x;
    switch (l.kind) {
      case LayerKind::conv: {
        const ConvGeometry g = conv_geometry(as<nn::cnn::Conv2d>(l.cpu), l.in, n);
        dnn_->conv_forward(g, x, w + l.weight, y);
        api_.launch(BiasReluKernel{{}, y, y, w + l.bias, count, l.out.h * l.out.w, l.out.c, false},
                    BiasReluKernel::shape(count));
        break;
      }
      case LayerKind::batch_norm: {
        auto& bn = as<nn::cnn::BatchNorm>(l.cpu);
        const long long plane = l.in.h * l.in.w;
        api_.launch(BatchNormStatsKernel{x, l.mean.get(), l.inv_std.get(), l.running_mean.get(),
                                         l.running_var.get(), bn.momentum(), bn.epsilon(), plane, n,
                                         l.in.c, training},
                    BatchNormStatsKernel::shape(l.in.c));
        api_.launch(BatchNormApplyKernel{{},
                                         x,
                                         y,
                                         w + l.weight,
                                         w + l.bias,
                                         l.mean.get(),
                                         l.inv_std.get(),
                                         count,
                                         plane,
                                         l.in.c},
                    BatchNormApplyKernel::shape(count));
        l.masked = training;
        break;
      }
      case LayerKind::pool: {
        auto& pool = as<nn::cnn::MaxPool2d>(l.cpu);
        dnn_->pool_forward({n, l.in.c, l.in.h, l.in.w, pool.pool_h(), pool.pool_w()}, x, y);
        break;
      }
      case LayerKind::relu:
        api_.launch(BiasReluKernel{{}, x, y, nullptr, count, 1, 1, true},
                    BiasReluKernel::shape(count));
        break;
      case LayerKind::flatten:
        y = const_cast<float*>(x);  // the same values, read as (n, features)
        break;
      case LayerKind::dropout: {
        auto& drop = as<nn::cnn::Dropout>(l.cpu);
        l.masked = training && drop.rate() > 0;
        if (!l.masked) {
          y = const_cast<float*>(x);
          break;
        }
        api_.launch(DropoutKernel{{},
                                  x,
                                  y,
                                  l.scale.get(),
                                  count,
                                  seed_,
                                  nn::dropout_threshold(drop.rate()),
                                  static_cast<float>(1.0 / (1.0 - drop.rate())),
                                  static_cast<uint32_t>(steps_),
                                  drop.layer()},
                    DropoutKernel::shape(count));
        break;
      }
      case LayerKind::dense: {
        auto& dense = as<nn::cnn::Dense>(l.cpu);
        const int inputs = dense.inputs(), units = dense.units();
        // y^T (U, N) = W (U, I) x^T (I, N)
        api_.gemm(Op::transpose, Op::none, units, n, inputs, 1.0f, w + l.weight, inputs, x, inputs,
                  0.0f, y, units);
        api_.launch(BiasReluKernel{{}, y, y, w + l.bias, count, 1, units, false},
                    BiasReluKernel::shape(count));
        break;
      }
    }
    l.y_last = y;
    x = y;
  }
  return x;
}

void CnnGpu::backward(int n) {
  float* w = params_.get();
  float* g = grads_.get();
  // dL/dlogits sits in the last layer's output (the loss kernel wrote it there).
  float* dy = const_cast<float*>(layers_.back().y_last);
  for (std::size_t i = layers_.size(); i-- > 0;) {
    Layer& l = layers_[i];
    const bool want_dx = i > 0;
    float* dx = dy == grad_a_.get() ? grad_b_.get() : grad_a_.get();
    const long long in_count = static_cast<long long>(n) * l.in.sample_size();
    switch (l.kind) {
      case LayerKind::conv: {
        const ConvGeometry geo = conv_geometry(as<nn::cnn::Conv2d>(l.cpu), l.in, n);
        api_.launch(ChannelSumKernel{dy, g + l.bias, n, l.out.c, l.out.h * l.out.w},
                    ChannelSumKernel::shape(l.out.c));
        dnn_->conv_backward_filter(geo, l.x_last, dy, g + l.weight);
        if (want_dx) dnn_->conv_backward_data(geo, w + l.weight, dy, dx);
        break;
      }
      case LayerKind::batch_norm:
        api_.launch(BatchNormBackwardKernel{l.x_last, dy, want_dx ? dx : nullptr, w + l.weight,
                                            l.mean.get(), l.inv_std.get(), g + l.weight, g + l.bias,
                                            l.in.h * l.in.w, n, l.in.c, l.masked},
                    BatchNormBackwardKernel::shape(l.in.c));
        break;
      case LayerKind::pool: {
        auto& pool = as<nn::cnn::MaxPool2d>(l.cpu);
        if (want_dx)
          dnn_->pool_backward({n, l.in.c, l.in.h, l.in.w, pool.pool_h(), pool.pool_w()}, l.x_last,
                              l.y_last, dy, dx);
        break;
      }
      case LayerKind::relu:
        api_.launch(ReluBackwardKernel{{}, l.y_last, dy, dx, in_count},
                    ReluBackwardKernel::shape(in_count));
        break;
      case LayerKind::flatten:
        dx = dy;
        break;
      case LayerKind::dropout:
        if (!l.masked) {
          dx = dy;
          break;
        }
        api_.launch(ScaleKernel{{}, dy, l.scale.get(), dx, in_count}, ScaleKernel::shape(in_count));
        break;
      case LayerKind::dense: {
        auto& dense = as<nn::cnn::Dense>(l.cpu);
        const int inputs = dense.inputs(), units = dense.units();
        const long long weights = static_cast<long long>(inputs) * units;
        // dW^T (I, U) = x^T (I, N) dy (N, U), plus 2 l2 W (Dense::backward's sgemm with beta).
        api_.gemm(Op::none, Op::transpose, inputs, units, n, 1.0f, l.x_last, inputs, dy, units,
                  0.0f, g + l.weight, inputs);
        if (dense.l2() > 0)
          api_.launch(
              AddScaledKernel{
                  {}, w + l.weight, g + l.weight, weights, static_cast<float>(2.0 * dense.l2())},
              AddScaledKernel::shape(weights));
        api_.launch(ChannelSumKernel{dy, g + l.bias, n, units, 1}, ChannelSumKernel::shape(units));
        // dx^T (I, N) = W^T (I, U) dy^T (U, N)
        if (want_dx)
          api_.gemm(Op::none, Op::none, inputs, n, units, 1.0f, w + l.weight, inputs, dy, units,
                    0.0f, dx, inputs);
        break;
      }
    }
    dy = dx;
  }
}

void CnnGpu::update() {
  ++steps_;
  if (sgd_.enabled) {
    api_.launch(SgdMomentumKernel{{},
                                  grads_.get(),
                                  params_.get(),
                                  m1_.get(),
                                  param_count_,
                                  static_cast<float>(adam_.lr),
                                  static_cast<float>(sgd_.momentum),
                                  static_cast<float>(adam_.lr * adam_.weight_decay)},
                SgdMomentumKernel::shape(param_count_));
    return;
  }
  api_.launch(
      AdamKernel{grads_.get(), params_.get(), m1_.get(), m2_.get(), step_.get(), param_count_},
      AdamKernel::shape(param_count_, 1));
}

nn::XentResult CnnGpu::step(const float* images, int n, std::span<const int> labels) {
  if (labels.size() != static_cast<std::size_t>(n))
    fail("gpu cnn: {} labels for a batch of {}", labels.size(), n);
  for (int label : labels)
    if (label < 0 || label >= classes_)
      fail("gpu cnn: label {} outside [0, {}) classes", label, classes_);
  labels_.upload(labels.data(), labels.size());
  return train_step(images, n, false);
}

nn::XentResult CnnGpu::step_soft(const float* images, int n, std::span<const float> targets) {
  if (targets.size() != static_cast<std::size_t>(n) * classes_)
    fail("gpu cnn: {} target values for a batch of {} rows of {} classes", targets.size(), n,
         classes_);
  targets_.upload(targets.data(), targets.size());
  return train_step(images, n, true);
}

nn::XentResult CnnGpu::train_step(const float* images, int n, bool soft) {
  const nn::ScopedFlushDenormals ftz;  // as CnnTrainer::step (the emulation runs on the host)
  ModelStep s;
  s.rows = n;
  s.adam = nn::adam_step(adam_, steps_ + 1);
  step_.upload(&s, 1);
  const double no_loss = 0.0;
  const int none_correct = 0;
  loss_sum_.upload(&no_loss, 1);
  correct_.upload(&none_correct, 1);
  float* logits = const_cast<float*>(forward(images, n, true));
  if (soft)
    api_.launch(
        SoftmaxXentSoftKernel{logits, targets_.get(), step_.get(), row_loss_.get(),
                              row_correct_.get(), loss_sum_.get(), correct_.get(), classes_, n},
        SoftmaxXentSoftKernel::shape());
  else
    api_.launch(SoftmaxXentKernel{logits, zero_bias_.get(), 0, 0, labels_.get(), step_.get(),
                                  row_loss_.get(), row_correct_.get(), loss_sum_.get(),
                                  correct_.get(), classes_, n},
                SoftmaxXentKernel::shape(1));
  backward(n);
  update();
  nn::XentResult r;
  api_.memcpy_d2h(&r.loss_sum, loss_sum_.get(), sizeof(double));
  api_.memcpy_d2h(&r.correct, correct_.get(), sizeof(int));
  api_.synchronize();
  return r;
}

std::vector<float> CnnGpu::predict(const float* images, int n) {
  const float* logits = forward(images, n, false);
  std::vector<float> p(static_cast<std::size_t>(n) * classes_);
  api_.memcpy_d2h(p.data(), logits, p.size() * sizeof(float));
  api_.synchronize();
  nn::softmax_rows(n, classes_, p.data(), classes_);
  return p;
}

void CnnGpu::download() {
  std::vector<float> values(static_cast<std::size_t>(param_count_));
  api_.memcpy_d2h(values.data(), params_.get(), values.size() * sizeof(float));
  for (Layer& l : layers_) {
    if (l.kind != LayerKind::batch_norm) continue;
    auto& bn = as<nn::cnn::BatchNorm>(l.cpu);
    api_.memcpy_d2h(bn.running_mean().data(), l.running_mean.get(),
                    bn.running_mean().size() * sizeof(float));
    api_.memcpy_d2h(bn.running_var().data(), l.running_var.get(),
                    bn.running_var().size() * sizeof(float));
  }
  api_.synchronize();
  std::size_t at = 0;
  for (nn::cnn::Param* p : net_.params()) {
    std::copy(values.begin() + static_cast<long>(at),
              values.begin() + static_cast<long>(at + p->value.size()), p->value.begin());
    at += p->value.size();
  }
}

}  // namespace audify::gpu
