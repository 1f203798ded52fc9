#include "nn/cnn/cnn_fit.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "nn/cnn/cnn_trainer.h"
#include "nn/epoch_loop.h"

namespace audify::nn::cnn {
namespace {

constexpr int kPredictBatch = 64;  // windows per inference forward

ClipSpectrograms head(const ClipSpectrograms& clips, std::size_t from, std::size_t count) {
  ClipSpectrograms out{clips.bands, {}, {}};
  out.clips.assign(clips.clips.begin() + static_cast<long>(from),
                   clips.clips.begin() + static_cast<long>(from + count));  // no variants
  return out;
}

std::vector<std::vector<float>> snapshot(Sequential& net) {
  std::vector<std::vector<float>> out;
  for (auto& [name, values] : net.state()) out.push_back(*values);
  return out;
}

void restore(Sequential& net, const std::vector<std::vector<float>>& saved) {
  auto state = net.state();
  for (std::size_t i = 0; i < state.size(); ++i) *state[i].second = saved[i];
}

// The running mean of the network's state (parameters and batch-norm statistics) over the epochs
// it is given: the weight averaging of TrainConfig::average_epochs. The sums are doubles so that
// the mean loses nothing to float accumulation however many epochs it spans.
class StateAverage {
 public:
  void add(Sequential& net) {
    auto state = net.state();
    sums_.resize(state.size());
    for (std::size_t i = 0; i < state.size(); ++i) {
      const std::vector<float>& values = *state[i].second;
      sums_[i].resize(values.size(), 0.0);
      for (std::size_t k = 0; k < values.size(); ++k) sums_[i][k] += values[k];
    }
    ++count_;
  }
  void assign_to(Sequential& net) const {
    auto state = net.state();
    for (std::size_t i = 0; i < state.size(); ++i)
      for (std::size_t k = 0; k < sums_[i].size(); ++k)
        (*state[i].second)[k] = static_cast<float>(sums_[i][k] / count_);
  }
  int count() const { return count_; }

 private:
  std::vector<std::vector<double>> sums_;
  int count_ = 0;
};

// The CPU's step.
class CpuStepper final : public CnnStepper {
 public:
  CpuStepper(Sequential& net, const AdamHyper& adam, uint64_t seed, SgdMomentum sgd)
      : trainer_(net, adam, seed, sgd) {}
  XentResult step(const Tensor& x, std::span<const int> labels) override {
    return trainer_.step(x, labels);
  }
  XentResult step_soft(const Tensor& x, std::span<const float> targets) override {
    return trainer_.step_soft(x, targets);
  }
  int64_t steps() const override { return trainer_.steps(); }

 private:
  CnnTrainer trainer_;
};

// Versions of each training clip per epoch: versions_per_epoch, with 0 meaning the clip and
// every variant, capped there; 1 without variants.
std::size_t training_copies(const ClipSpectrograms& clips, std::size_t n_train) {
  std::size_t most = 0;
  for (std::size_t i = 0; i < std::min(n_train, clips.variants.size()); ++i)
    most = std::max(most, clips.variants[i].size());
  if (most == 0) return 1;
  const auto wanted = static_cast<std::size_t>(clips.versions_per_epoch);
  return wanted == 0 ? most + 1 : std::min(wanted, most + 1);
}

}  // namespace

Matrix predict_clips(Sequential& net, const ClipSpectrograms& clips, const WindowConfig& w,
                     const InputScaling& scaling) {
  const int classes = net.output_shape().c;
  Matrix out(clips.size(), static_cast<std::size_t>(classes));
  struct Slot {
    std::size_t clip;
    int start;
  };
  std::vector<Slot> slots;
  std::vector<int> windows_of(clips.size(), 0);
  for (std::size_t i = 0; i < clips.size(); ++i)
    for (int s : window_starts(clips.frames(i), w.window, w.hop)) {
      slots.push_back({i, s});
      ++windows_of[i];
    }
  Tensor x;
  for (std::size_t from = 0; from < slots.size(); from += kPredictBatch) {
    const int n = static_cast<int>(std::min<std::size_t>(kPredictBatch, slots.size() - from));
    x.reshape({n, 1, clips.bands, w.window});
    for (int k = 0; k < n; ++k) {
      const Slot& slot = slots[from + static_cast<std::size_t>(k)];
      copy_window(clips.clips[slot.clip], clips.bands, slot.start, w.window, scaling, x.sample(k));
    }
    const Tensor& logits = net.forward(x, Pass{});
    std::vector<float> p(logits.data.begin(), logits.data.end());
    softmax_rows(n, classes, p.data(), classes);
    for (int k = 0; k < n; ++k) {
      const Slot& slot = slots[from + static_cast<std::size_t>(k)];
      const float share = 1.0f / static_cast<float>(windows_of[slot.clip]);
      for (int c = 0; c < classes; ++c)
        out(slot.clip, static_cast<std::size_t>(c)) +=
            share * p[static_cast<std::size_t>(k) * classes + c];
    }
  }
  return out;
}

CnnFitResult fit_cnn(Sequential& net, const ClipSpectrograms& clips, std::span<const int> labels,
                     const TrainConfig& cfg, const WindowConfig& w,
                     const std::function<void(const EpochStats&, const InputScaling&)>& on_epoch,
                     const BatchAugmenter& augment, const CnnStepperFactory& make_stepper) {
  check_train_config(cfg);
  const int classes = net.output_shape().c;
  if (labels.size() != clips.size())
    fail("cnn: {} clips but {} labels", clips.size(), labels.size());
  for (int y : labels)
    if (y < 0 || y >= classes) fail("cnn: label {} outside [0, {})", y, classes);
  if (w.window <= 0 || w.hop <= 0)
    fail("cnn: window ({}) and hop ({}) must be positive frame counts", w.window, w.hop);
  const std::size_t n_train = training_rows(clips.size(), cfg.validation_fraction);
  if (n_train == 0) fail("cnn: no training clips");

  if (clips.versions_per_epoch < 0)
    fail("cnn: versions_per_epoch {} must be 0 (all) or positive", clips.versions_per_epoch);
  // An epoch's rows: copy c of training clip i is row c * n_train + i (copy 0 is row i itself, so
  // one version per epoch keeps the crops and the order of a run without variants).
  const std::size_t copies = training_copies(clips, n_train);
  const std::size_t n_rows = copies * n_train;

  CnnFitResult result;
  if (cfg.standardize) result.scaling = fit_input_scaling(clips, n_train);
  const ClipSpectrograms validation = head(clips, n_train, clips.size() - n_train);

  const AdamHyper hyper{cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, cfg.weight_decay};
  const SgdMomentum sgd{cfg.optimizer == "sgd", cfg.momentum};
  const std::unique_ptr<CnnStepper> trainer =
      make_stepper
          ? make_stepper(net, hyper, cfg.seed, sgd, static_cast<int>(batch_rows(cfg, n_rows)))
          : std::make_unique<CpuStepper>(net, hyper, cfg.seed, sgd);
  Tensor x;
  std::vector<int> y;
  std::vector<float> targets;
  std::vector<std::vector<float>> best;

  EpochLoopHooks hooks;
  hooks.train_batch = [&](std::span<const uint32_t> rows, int epoch) {
    const int n = static_cast<int>(rows.size());
    x.reshape({n, 1, clips.bands, w.window});
    y.resize(rows.size());
    for (int k = 0; k < n; ++k) {
      const uint32_t row = rows[static_cast<std::size_t>(k)];
      const auto i = static_cast<uint32_t>(row % n_train);
      const auto e = static_cast<uint32_t>(epoch);
      std::span<const float> clip = clips.clips[i];
      if (!clips.variants.empty() && !clips.variants[i].empty()) {
        const std::size_t variants = clips.variants[i].size();
        const std::size_t v = copies == 1
                                  ? random_version(variants, cfg.seed, e, i)
                                  : epoch_copy_version(variants, row / n_train, cfg.seed, e, i);
        if (v > 0) clip = clips.variants[i][v - 1];
      }
      const int frames = static_cast<int>(clip.size() / static_cast<std::size_t>(clips.bands));
      const int start = random_window_start(frames, w.window, cfg.seed, e, row);
      copy_window(clip, clips.bands, start, w.window, result.scaling, x.sample(k));
      y[static_cast<std::size_t>(k)] = labels[i];
    }
    if (!augment) return trainer->step(x, y);
    targets.assign(rows.size() * static_cast<std::size_t>(classes), 0.0f);
    for (int k = 0; k < n; ++k) targets[static_cast<std::size_t>(k) * classes + y[k]] = 1.0f;
    augment(x, targets, rows, epoch, result.scaling);
    return trainer->step_soft(x, targets);
  };
  if (n_train < clips.size())
    hooks.validate = [&] {
      trainer->sync();
      return probability_loss_accuracy(predict_clips(net, validation, w, result.scaling),
                                       labels.subspan(n_train));
    };
  hooks.keep_best = [&] {
    trainer->sync();
    best = snapshot(net);
  };
  // Once the host holds the final weights (the best epoch's or the average), the device's last
  // step must not overwrite them.
  bool host_final = false;
  hooks.restore_best = [&] {
    restore(net, best);
    host_final = true;
  };
  hooks.steps = [&] { return trainer->steps(); };
  StateAverage average;
  const int first_averaged = cfg.epochs - cfg.average_epochs + 1;  // past the last without it
  result.history = run_epochs(cfg, n_rows, hooks, [&](const EpochStats& s) {
    const bool averaged = s.epoch >= first_averaged;
    if (!on_epoch && !averaged) return;
    trainer->sync();
    if (averaged) average.add(net);
    if (on_epoch) on_epoch(s, result.scaling);
  });
  if (average.count() > 0) {
    average.assign_to(net);
    host_final = true;
  }
  if (!host_final) trainer->sync();
  return result;
}

}  // namespace audify::nn::cnn
