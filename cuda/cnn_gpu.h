// A Sequential CNN (nn/cnn) on the GPU, step for step what nn::cnn::CnnTrainer does on the CPU:
// forward with dropout, softmax cross-entropy on the logits (one-hot or soft targets), backward,
// the L2 penalty's gradient, Adam (or SGD with momentum). Convolutions and pooling go through the
// DNN layer (dnn_api.h: cuDNN, or the CPU code under emulation), dense layers through GpuApi::gemm,
// the rest through kernels/cnn_activation.cuh, batch_norm.cuh, softmax_xent.cuh and adam.cuh.
// Parameters, their gradients and the optimizer's moments live in one flat device buffer each, in
// the network's params() order, so one Adam launch updates them all.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "gpu_api.h"
#include "kernels/model_step.cuh"
#include "nn/adam.h"
#include "nn/cnn/cnn_fit.h"
#include "nn/cnn/cnn_trainer.h"
#include "nn/cnn/sequential.h"
#include "nn/softmax_xent.h"

namespace audify::gpu {

class CnnGpu {
 public:
  // Copies `net`'s parameters and buffers to the device for batches of up to max_batch samples.
  // Throws audify::Error naming a layer the GPU does not run.
  CnnGpu(GpuApi& api, nn::cnn::Sequential& net, int max_batch, const nn::AdamHyper& adam,
         uint64_t seed, nn::cnn::SgdMomentum sgd = {});
  ~CnnGpu();
  CnnGpu(const CnnGpu&) = delete;
  CnnGpu& operator=(const CnnGpu&) = delete;

  // One optimizer step on device images (n, c, h, w), n <= max_batch, and host labels: the
  // batch's summed cross-entropy (without the penalty) and correct count, as CnnTrainer::step.
  nn::XentResult step(const float* images, int n, std::span<const int> labels);
  // The same against host soft targets (n, classes), each row summing to 1 (mixup's), as
  // CnnTrainer::step_soft.
  nn::XentResult step_soft(const float* images, int n, std::span<const float> targets);
  // Inference: probabilities (n, classes) on the host.
  std::vector<float> predict(const float* images, int n);
  // Writes the device's parameters and batch-norm statistics back into the network.
  void download();
  int64_t steps() const { return steps_; }
  GpuApi& api() { return api_; }

 private:
  struct Layer;
  nn::XentResult train_step(const float* images, int n, bool soft_targets);
  const float* forward(const float* images, int n, bool training);
  void backward(int n);
  void update();

  GpuApi& api_;
  std::unique_ptr<DnnApi> dnn_;
  nn::cnn::Sequential& net_;
  int max_batch_;
  nn::AdamHyper adam_;
  nn::cnn::SgdMomentum sgd_;
  uint64_t seed_;
  int64_t steps_ = 0;
  int classes_ = 0;
  std::vector<Layer> layers_;
  DeviceArray<float> params_, grads_, m1_, m2_;
  long long param_count_ = 0;
  DeviceArray<float> zero_bias_;  // (classes): the loss kernel's bias, already added by the dense
  DeviceArray<int> labels_;
  DeviceArray<float> targets_;  // (max_batch, classes): step_soft's
  DeviceArray<double> row_loss_, loss_sum_;
  DeviceArray<int> row_correct_, correct_;
  DeviceArray<ModelStep> step_;
  DeviceArray<float> grad_a_, grad_b_;  // alternating dL/d(activation) buffers
  const float* input_ = nullptr;        // the last forward's images
};

// fit_cnn's step (nn/cnn/cnn_fit.h) on `api`, a CnnGpu of `net`; `api` must outlive it.
std::unique_ptr<nn::cnn::CnnStepper> make_cnn_gpu_stepper(GpuApi& api, nn::cnn::Sequential& net,
                                                          const nn::AdamHyper& adam, uint64_t seed,
                                                          nn::cnn::SgdMomentum sgd, int max_batch);

}  // namespace audify::gpu
