// Training and inference of a Sequential CNN on clips' frame-level features, on nn::fit's schedule
// (nn/epoch_loop.h: Philox-shuffled batches, validation tail, early stopping, a callback per
// epoch): each epoch every training clip contributes one random window, and a clip is classified by
// the mean softmax of its windows at `hop`. With cfg.average_epochs the final weights are the mean
// of the last epochs' (weight averaging). Deterministic for a seed.
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <span>

#include "core/matrix.h"
#include "nn/cnn/clip_windows.h"
#include "nn/cnn/cnn_trainer.h"
#include "nn/cnn/sequential.h"
#include "nn/trainer.h"

namespace audify::nn::cnn {

struct WindowConfig {
  int window = 128;  // frames per training and evaluation window
  int hop = 16;      // frames between evaluation windows
};

// Changes a training batch in place before its step: images (n, 1, bands, window) already scaled
// by `scaling`; `targets` (n, classes) one-hot rows that may become soft (mixup); `clips` the
// batch's clip indices.
using BatchAugmenter =
    std::function<void(Tensor& images, std::vector<float>& targets, std::span<const uint32_t> clips,
                       int epoch, const InputScaling& scaling)>;

// The optimizer step fit_cnn takes for each batch: the CPU's CnnTrainer unless a device gives its
// own (nn::DeviceTrainer::make_cnn_stepper, cuda/cnn_gpu_stepper.cpp), which keeps the network's
// weights on the device and writes them back to `net` on sync().
class CnnStepper {
 public:
  virtual ~CnnStepper() = default;
  virtual XentResult step(const Tensor& x, std::span<const int> labels) = 0;
  virtual XentResult step_soft(const Tensor& x, std::span<const float> targets) = 0;
  virtual int64_t steps() const = 0;
  // Makes the network's host weights those of the last step (before validation, snapshots, the
  // epoch callback and the end of training).
  virtual void sync() {}
};
// Makes the stepper of `net` for batches of up to max_batch samples.
using CnnStepperFactory = std::function<std::unique_ptr<CnnStepper>(
    Sequential& net, const AdamHyper& adam, uint64_t seed, SgdMomentum sgd, int max_batch)>;

struct CnnFitResult {
  TrainHistory history;
  InputScaling scaling;  // measured on the training clips when cfg.standardize, else identity
};

// Throws audify::Error on bad shapes, labels or config values. The callback sees the network
// holding that epoch's weights; predict_clips with the returned scaling evaluates it.
CnnFitResult fit_cnn(Sequential& net, const ClipSpectrograms& clips, std::span<const int> labels,
                     const TrainConfig& cfg, const WindowConfig& windows,
                     const std::function<void(const EpochStats&, const InputScaling&)>& on_epoch,
                     const BatchAugmenter& augment = {}, const CnnStepperFactory& stepper = {});

// (clips.size(), classes) probabilities: the mean softmax of each clip's windows.
Matrix predict_clips(Sequential& net, const ClipSpectrograms& clips, const WindowConfig& windows,
                     const InputScaling& scaling);

}  // namespace audify::nn::cnn
