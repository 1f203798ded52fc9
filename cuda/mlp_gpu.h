// The seed MLP trained on the GPU, written against GpuApi: K models of one shape (the folds of a
// k-fold run, the points of a sweep) side by side in one pass, every GEMM a strided-batched one
// over the models, every kernel one launch for all of them, because one seed-sized model is far too
// small to fill a GPU. Each model follows exactly the schedule nn::fit gives it alone (its own
// Philox shuffles, batch size, dropout masks and Adam steps), so it gets the result it gets alone.
//
// Layout (cuBLAS column-major, so row-major host arrays need no transposes): a model's parameters
// are one flat buffer, per layer W (out, in) column-major (ld = out; nn's PyTorch-layout weight
// read transposed) then b (out); activations are (models, max_batch, width) row-major, i.e. per
// model a column-major (width, max_batch) matrix. Forward Z = W X, backward dW = dZ X^T and
// dX = W^T dZ are then plain column-major products.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/matrix.h"
#include "gpu_api.h"
#include "kernels/model_step.cuh"
#include "nn/mlp.h"
#include "nn/softmax_xent.h"
#include "nn/train_backend.h"
#include "nn/trainer.h"

namespace audify::gpu {

// One model's part of one training step: `rows` rows of its table, in batch order (empty = idle).
struct StepBatch {
  std::span<const uint32_t> rows;
};

class MlpGpu {
 public:
  // `models` models of `shape`, batches of at most `max_batch` rows.
  MlpGpu(GpuApi& api, const nn::MlpConfig& shape, int models, int max_batch);
  ~MlpGpu();
  MlpGpu(const MlpGpu&) = delete;
  MlpGpu& operator=(const MlpGpu&) = delete;

  int models() const { return models_; }
  int max_batch() const { return max_batch_; }
  long long params_per_model() const { return params_; }

  // Model m takes `model`'s weights and `train`'s optimizer settings, with fresh Adam moments and
  // step count. Throws audify::Error when the model's shape differs from this set's.
  void upload(int m, const nn::Mlp& model, const nn::TrainConfig& train);
  // Model m's current weights into `model` (shape as uploaded; standardisation untouched).
  void download(int m, nn::Mlp& model) const;

  // Every model's training rows, standardised, and labels; tables[m] belongs to model m.
  void set_tables(std::span<const Matrix* const> tables,
                  std::span<const std::span<const int>> labels);

  // One optimizer step of every model with a non-empty batch (batches.size() == models()). With
  // `use_graph` the step is captured in a CUDA graph once and replayed after.
  void step(std::span<const StepBatch> batches, bool use_graph = true);
  int64_t steps_taken(int m) const { return steps_[m]; }

  // The running (dropout-on) loss sum and correct count of every model since the last reset,
  // summed on the device as nn::fit sums them; waits for the device.
  void reset_epoch_stats();
  std::vector<nn::XentResult> epoch_stats();

  // Class probabilities of model m for rows already standardised, (rows, classes); dropout off.
  Matrix predict_proba(int m, const Matrix& x_standardised);

 private:
  void record_step();
  void warm_up_blas();
  void forward_gemm(int l, float* z);
  void weight_grad_gemm(int l);
  void input_grad_gemm(int l);
  void check_model(const nn::Mlp& model) const;

  GpuApi& api_;
  nn::Activation activation_;
  int models_, max_batch_, layers_;
  std::vector<int> dims_;                         // inputs, hidden..., classes
  std::vector<long long> w_off_, b_off_;          // per layer, within a model's parameters
  long long params_ = 0;                          // floats per model
  DeviceArray<float> weights_, grads_, m1_, m2_;  // (models, params_)
  std::vector<DeviceArray<float>> act_;  // act_[l]: input of layer l, (models, max_batch, dims[l])
  std::vector<DeviceArray<float>> pre_, scale_;  // hidden layer l's output before dropout, scale
  std::vector<DeviceArray<float>> dz_;           // dL/d(pre-activation) of layer l
  DeviceArray<float> dh_;                        // dL/d(input of layer l), reused
  DeviceArray<int> labels_, index_, row_correct_, correct_;
  DeviceArray<double> row_loss_, loss_sum_;
  DeviceArray<ModelStep> step_dev_;
  DeviceArray<float> pred_x_, pred_a_, pred_b_;  // predict_proba's chunk buffers
  DeviceArray<float> table_;
  DeviceArray<int> table_labels_;
  std::vector<long long> table_first_;  // first table row of each model
  std::vector<long long> table_rows_;
  PinnedArray<ModelStep> step_host_;  // (models)
  PinnedArray<int> index_host_;       // (models, max_batch)
  std::vector<nn::AdamHyper> hyper_;
  std::vector<uint64_t> seed_;
  std::vector<double> dropout_;
  std::vector<int64_t> steps_;
  void* graph_ = nullptr;
  bool step_pending_ = false;  // a step was issued that may still read the page-locked buffers
};

// nn::DeviceTrainer (nn/train_backend.h) over `api`: nn::fit's contract, one model at a time.
std::unique_ptr<nn::DeviceTrainer> make_gpu_trainer(std::unique_ptr<GpuApi> api);

// nn::fit for several models at once on the GPU: job i trains its model on its rows with its
// config, and its callback sees the model holding each epoch's weights. The models must share one
// MlpConfig shape; batch sizes, epochs, seeds, learning rates and dropout rates may differ.
// Histories are what nn::fit reports. Validation splits and early stopping are not supported here
// yet (an audify::Error says so).
using FitJob = nn::FitJob;
std::vector<nn::TrainHistory> fit_many(GpuApi& api, std::span<FitJob> jobs, bool use_graph = true);

}  // namespace audify::gpu
