// The device buffers and the training step of MlpGpu: one gather, per layer one strided-batched
// GEMM and one fused kernel forward, the loss kernel, per layer two GEMMs and a bias reduction
// backward, one Adam launch; every launch covers all the models. Nothing here relies on zeroed
// device memory (state is reset by explicit copies), so a poisoned allocator proves every element
// read was written first.
#include "mlp_gpu.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "core/error.h"
#include "kernels/adam.cuh"
#include "kernels/dense_act.cuh"
#include "kernels/gather_batch.cuh"
#include "kernels/softmax_xent.cuh"
#include "nn/dropout_mask.h"

namespace audify::gpu {
namespace {

std::size_t count(long long a, long long b = 1, long long c = 1) {
  return static_cast<std::size_t>(a * b * c);
}

// Copies host zeros over `n` T at `dst` (the state a fresh model starts from).
template <typename T>
void upload_zeros(GpuApi& api, T* dst, std::size_t n) {
  const std::vector<T> zeros(n, T{});
  if (n > 0) api.memcpy_h2d(dst, zeros.data(), n * sizeof(T));
}

}  // namespace

MlpGpu::MlpGpu(GpuApi& api, const nn::MlpConfig& shape, int models, int max_batch)
    : api_(api),
      activation_(nn::parse_activation(shape.activation)),
      models_(models),
      max_batch_(max_batch),
      weights_(api),
      grads_(api),
      m1_(api),
      m2_(api),
      dh_(api),
      labels_(api),
      index_(api),
      row_correct_(api),
      correct_(api),
      row_loss_(api),
      loss_sum_(api),
      step_dev_(api),
      pred_x_(api),
      pred_a_(api),
      pred_b_(api),
      table_(api),
      table_labels_(api),
      step_host_(api),
      index_host_(api) {
  if (models < 1) fail("gpu trainer: needs at least one model, got {}", models);
  if (max_batch < 1) fail("gpu trainer: batch size must be positive, got {}", max_batch);
  dims_.push_back(shape.inputs);
  dims_.insert(dims_.end(), shape.hidden.begin(), shape.hidden.end());
  dims_.push_back(shape.classes);
  layers_ = static_cast<int>(dims_.size()) - 1;
  for (int l = 0; l < layers_; ++l) {
    w_off_.push_back(params_);
    params_ += static_cast<long long>(dims_[l]) * dims_[l + 1];
    b_off_.push_back(params_);
    params_ += dims_[l + 1];
  }
  for (DeviceArray<float>* a : {&weights_, &grads_, &m1_, &m2_}) a->grow(count(models, params_));
  const auto per_model = [&](int width) { return count(models, max_batch, width); };
  for (int l = 0; l < layers_; ++l) {
    act_.emplace_back(api).grow(per_model(dims_[l]));
    dz_.emplace_back(api).grow(per_model(dims_[l + 1]));
    if (l + 1 < layers_) {
      pre_.emplace_back(api).grow(per_model(dims_[l + 1]));
      scale_.emplace_back(api).grow(per_model(dims_[l + 1]));
    }
  }
  dh_.grow(per_model(*std::max_element(dims_.begin(), dims_.end())));
  labels_.grow(count(models, max_batch));
  index_.grow(count(models, max_batch));
  row_correct_.grow(count(models, max_batch));
  row_loss_.grow(count(models, max_batch));
  correct_.grow(count(models));
  loss_sum_.grow(count(models));
  step_dev_.grow(count(models));
  std::uninitialized_fill_n(step_host_.grow(count(models)), models, ModelStep{});
  std::fill_n(index_host_.grow(count(models, max_batch)), count(models, max_batch), 0);
  hyper_.resize(count(models));
  seed_.resize(count(models));
  dropout_.resize(count(models));
  steps_.resize(count(models));
  reset_epoch_stats();
}

MlpGpu::~MlpGpu() {
  if (step_pending_) {
    try {
      api_.synchronize();
    } catch (...) {  // a destructor never throws; the buffers are released either way
    }
  }
  api_.destroy_graph(graph_);
}

void MlpGpu::check_model(const nn::Mlp& model) const {
  const nn::MlpConfig& c = model.config();
  std::vector<int> dims{c.inputs};
  dims.insert(dims.end(), c.hidden.begin(), c.hidden.end());
  dims.push_back(c.classes);
  if (dims != dims_ || model.activation() != activation_)
    fail("gpu trainer: every model trained together must have the same layers and activation");
}

void MlpGpu::upload(int m, const nn::Mlp& model, const nn::TrainConfig& train) {
  AUDIFY_ASSERT(m >= 0 && m < models_);
  check_model(model);
  std::vector<float> flat(count(params_));
  for (int l = 0; l < layers_; ++l) {
    const int in = dims_[l], out = dims_[l + 1], ld = nn::pad_width(out);
    const std::vector<float>& wt = model.wt(l);  // (in, pad(out)) row-major = W column-major
    for (int i = 0; i < in; ++i)
      std::copy_n(wt.begin() + static_cast<long>(i) * ld, out,
                  flat.begin() + w_off_[l] + static_cast<long>(i) * out);
    std::copy_n(model.b(l).begin(), out, flat.begin() + b_off_[l]);
  }
  api_.memcpy_h2d(weights_.get() + m * params_, flat.data(), flat.size() * sizeof(float));
  upload_zeros(api_, m1_.get() + m * params_, count(params_));
  upload_zeros(api_, m2_.get() + m * params_, count(params_));
  hyper_[m] = {train.lr, train.beta1, train.beta2, train.eps, train.weight_decay};
  seed_[m] = train.seed;
  dropout_[m] = model.config().dropout;
  steps_[m] = 0;
}

void MlpGpu::download(int m, nn::Mlp& model) const {
  AUDIFY_ASSERT(m >= 0 && m < models_);
  check_model(model);
  std::vector<float> flat(count(params_));
  api_.memcpy_d2h(flat.data(), weights_.get() + m * params_, flat.size() * sizeof(float));
  api_.synchronize();
  for (int l = 0; l < layers_; ++l) {
    const int in = dims_[l], out = dims_[l + 1], ld = nn::pad_width(out);
    std::vector<float>& wt = model.wt(l);
    for (int i = 0; i < in; ++i)
      std::copy_n(flat.begin() + w_off_[l] + static_cast<long>(i) * out, out,
                  wt.begin() + static_cast<long>(i) * ld);
    std::copy_n(flat.begin() + b_off_[l], out, model.b(l).begin());
  }
}

void MlpGpu::set_tables(std::span<const Matrix* const> tables,
                        std::span<const std::span<const int>> labels) {
  AUDIFY_ASSERT(static_cast<int>(tables.size()) == models_ && labels.size() == tables.size());
  std::vector<float> rows;
  std::vector<int> ys;
  table_first_.clear();
  table_rows_.clear();
  for (std::size_t m = 0; m < tables.size(); ++m) {
    const Matrix& x = *tables[m];
    if (x.cols != static_cast<std::size_t>(dims_[0]))
      fail("gpu trainer: model {} takes {} features, its table has {}", m, dims_[0], x.cols);
    if (labels[m].size() != x.rows)
      fail("gpu trainer: model {} has {} rows but {} labels", m, x.rows, labels[m].size());
    for (int y : labels[m])
      if (y < 0 || y >= dims_.back())
        fail("gpu trainer: label {} outside [0, {})", y, dims_.back());
    table_first_.push_back(static_cast<long long>(ys.size()));
    table_rows_.push_back(static_cast<long long>(x.rows));
    rows.insert(rows.end(), x.data.begin(), x.data.end());
    ys.insert(ys.end(), labels[m].begin(), labels[m].end());
  }
  if (step_pending_) api_.synchronize();  // earlier steps may still read the old tables
  step_pending_ = false;
  table_.upload(rows.data(), rows.size());
  table_labels_.upload(ys.data(), ys.size());
  // The graph bakes the tables' addresses in; upload() may have moved them.
  api_.destroy_graph(std::exchange(graph_, nullptr));
}

void MlpGpu::step(std::span<const StepBatch> batches, bool use_graph) {
  AUDIFY_ASSERT(static_cast<int>(batches.size()) == models_);
  AUDIFY_ASSERT(table_first_.size() == static_cast<std::size_t>(models_));
  // The previous step's copies read these page-locked buffers when the device gets to them.
  if (step_pending_) api_.synchronize();
  for (int m = 0; m < models_; ++m) {
    const std::span<const uint32_t> rows = batches[m].rows;
    AUDIFY_ASSERT(rows.size() <= static_cast<std::size_t>(max_batch_));
    int* index = index_host_.get() + static_cast<long>(m) * max_batch_;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      AUDIFY_ASSERT(rows[r] < table_rows_[m]);
      index[r] = static_cast<int>(table_first_[m] + rows[r]);
    }
    ModelStep& s = step_host_.get()[m];
    s.seed = seed_[m];
    s.drop_threshold = dropout_[m] > 0.0 ? nn::dropout_threshold(dropout_[m]) : 0;
    s.drop_scale = static_cast<float>(1.0 / (1.0 - dropout_[m]));
    s.rows = static_cast<int>(rows.size());
    s.step = static_cast<uint32_t>(steps_[m]);
    if (!rows.empty()) s.adam = nn::adam_step(hyper_[m], ++steps_[m]);
  }
  if (!use_graph) {
    record_step();
  } else if (graph_ != nullptr) {
    api_.replay(graph_);
  } else {
    warm_up_blas();
    if (api_.begin_capture()) {
      try {
        record_step();
      } catch (...) {
        api_.abort_capture();
        throw;
      }
      graph_ = api_.end_capture();
      api_.replay(graph_);
    } else {
      record_step();  // no graphs here: the calls ran as they were made
    }
  }
  step_pending_ = true;
}

// The step's GEMMs once outside the capture: cuBLAS's first call sets it up (workspace, kernel
// modules), which must not be recorded. They write only buffers every step rewrites before reading.
void MlpGpu::warm_up_blas() {
  for (int l = 0; l < layers_; ++l) {
    forward_gemm(l, l + 1 < layers_ ? act_[l + 1].get() : dz_[l].get());
    weight_grad_gemm(l);
    if (l > 0) input_grad_gemm(l);
  }
}

// Z (out, batch) = W (out, in) X (in, batch), per model.
void MlpGpu::forward_gemm(int l, float* z) {
  const int in = dims_[l], out = dims_[l + 1];
  const long long b = max_batch_;
  api_.strided_batched_gemm(Op::none, Op::none, out, max_batch_, in, 1.0f,
                            weights_.get() + w_off_[l], out, params_, act_[l].get(), in, b * in,
                            0.0f, z, out, b * out, models_);
}

// dW (out, in) = dZ (out, batch) X^T (batch, in); padding rows of dZ are zero.
void MlpGpu::weight_grad_gemm(int l) {
  const int in = dims_[l], out = dims_[l + 1];
  const long long b = max_batch_;
  api_.strided_batched_gemm(Op::none, Op::transpose, out, in, max_batch_, 1.0f, dz_[l].get(), out,
                            b * out, act_[l].get(), in, b * in, 0.0f, grads_.get() + w_off_[l], out,
                            params_, models_);
}

// dX (in, batch) = W^T (in, out) dZ (out, batch), into dh_.
void MlpGpu::input_grad_gemm(int l) {
  const int in = dims_[l], out = dims_[l + 1];
  const long long b = max_batch_;
  api_.strided_batched_gemm(Op::transpose, Op::none, in, max_batch_, out, 1.0f,
                            weights_.get() + w_off_[l], out, params_, dz_[l].get(), out, b * out,
                            0.0f, dh_.get(), in, b * in, models_);
}

void MlpGpu::record_step() {
  const long long b = max_batch_;
  api_.memcpy_h2d(step_dev_.get(), step_host_.get(), sizeof(ModelStep) * count(models_));
  api_.memcpy_h2d(index_.get(), index_host_.get(), sizeof(int) * count(models_, b));
  api_.launch(GatherBatchKernel{table_.get(), table_labels_.get(), index_.get(), step_dev_.get(),
                                act_[0].get(), labels_.get(), dims_[0], max_batch_},
              GatherBatchKernel::shape(dims_[0], max_batch_, models_));
  for (int l = 0; l < layers_; ++l) {
    const int out = dims_[l + 1];
    const bool hidden = l + 1 < layers_;
    float* z = hidden ? act_[l + 1].get() : dz_[l].get();
    forward_gemm(l, z);
    if (!hidden) break;
    api_.launch(BiasActDropoutKernel{z, pre_[l].get(), scale_[l].get(), weights_.get(), params_,
                                     b_off_[l], step_dev_.get(), activation_, out, max_batch_,
                                     static_cast<unsigned>(l)},
                BiasActDropoutKernel::shape(out, max_batch_, models_));
  }
  api_.launch(SoftmaxXentKernel{dz_.back().get(), weights_.get(), params_, b_off_.back(),
                                labels_.get(), step_dev_.get(), row_loss_.get(), row_correct_.get(),
                                loss_sum_.get(), correct_.get(), dims_.back(), max_batch_},
              SoftmaxXentKernel::shape(models_));
  for (int l = layers_ - 1; l >= 0; --l) {
    const int in = dims_[l], out = dims_[l + 1];
    weight_grad_gemm(l);
    api_.launch(BiasGradKernel{dz_[l].get(), grads_.get(), params_, b_off_[l], out, max_batch_},
                BiasGradKernel::shape(out, models_));
    if (l == 0) break;
    input_grad_gemm(l);
    const long long n = models_ * b * in;
    api_.launch(ActBackwardKernel{{},
                                  dh_.get(),
                                  pre_[l - 1].get(),
                                  scale_[l - 1].get(),
                                  dz_[l - 1].get(),
                                  n,
                                  activation_},
                ActBackwardKernel::shape(n));
  }
  api_.launch(
      AdamKernel{grads_.get(), weights_.get(), m1_.get(), m2_.get(), step_dev_.get(), params_},
      AdamKernel::shape(params_, models_));
}

void MlpGpu::reset_epoch_stats() {
  upload_zeros(api_, loss_sum_.get(), count(models_));
  upload_zeros(api_, correct_.get(), count(models_));
}

std::vector<nn::XentResult> MlpGpu::epoch_stats() {
  std::vector<double> loss(count(models_));
  std::vector<int> correct(count(models_));
  api_.memcpy_d2h(loss.data(), loss_sum_.get(), loss.size() * sizeof(double));
  api_.memcpy_d2h(correct.data(), correct_.get(), correct.size() * sizeof(int));
  api_.synchronize();
  step_pending_ = false;
  std::vector<nn::XentResult> out(count(models_));
  for (int m = 0; m < models_; ++m) out[m] = {loss[m], correct[m]};
  return out;
}

Matrix MlpGpu::predict_proba(int m, const Matrix& x) {
  AUDIFY_ASSERT(m >= 0 && m < models_);
  if (x.cols != static_cast<std::size_t>(dims_[0]))
    fail("predict: the model takes {} features, the input has {}", dims_[0], x.cols);
  constexpr int kChunk = 1024;
  const int widest = *std::max_element(dims_.begin(), dims_.end());
  pred_x_.grow(count(kChunk, dims_[0]));
  pred_a_.grow(count(kChunk, widest));
  pred_b_.grow(count(kChunk, widest));
  const float* w = weights_.get() + m * params_;
  const int classes = dims_.back();
  Matrix out(x.rows, static_cast<std::size_t>(classes));
  for (std::size_t r0 = 0; r0 < x.rows; r0 += kChunk) {
    const int rows = static_cast<int>(std::min<std::size_t>(kChunk, x.rows - r0));
    api_.memcpy_h2d(pred_x_.get(), x.row(r0).data(), count(rows, dims_[0]) * sizeof(float));
    float* in_buf = pred_x_.get();
    float* out_buf = pred_a_.get();
    for (int l = 0; l < layers_; ++l) {
      api_.gemm(Op::none, Op::none, dims_[l + 1], rows, dims_[l], 1.0f, w + w_off_[l], dims_[l + 1],
                in_buf, dims_[l], 0.0f, out_buf, dims_[l + 1]);
      if (l + 1 < layers_)
        api_.launch(BiasActDropoutKernel{out_buf, nullptr, nullptr, w, 0, b_off_[l], nullptr,
                                         activation_, dims_[l + 1], rows, static_cast<unsigned>(l)},
                    BiasActDropoutKernel::shape(dims_[l + 1], rows, 1));
      in_buf = out_buf;
      out_buf = out_buf == pred_a_.get() ? pred_b_.get() : pred_a_.get();
    }
    float* probs = in_buf;  // the last layer's output
    api_.launch(SoftmaxKernel{probs, w + b_off_.back(), rows, classes}, SoftmaxKernel::shape(rows));
    api_.memcpy_d2h(out.row(r0).data(), probs, count(rows, classes) * sizeof(float));
    api_.synchronize();  // the next chunk overwrites the input buffer the copy is done with
  }
  return out;
}

}  // namespace audify::gpu
