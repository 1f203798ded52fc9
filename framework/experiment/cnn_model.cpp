#include "experiment/cnn_model.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "augment/batch_augment.h"
#include "core/blas_kernels.h"
#include "core/error.h"
#include "core/parallel_jobs.h"
#include "features/frame_store.h"
#include "nn/cnn/cnn_fit.h"
#include "nn/cnn/cnn_spec.h"
#include "nn/safetensors.h"
#include "nn/train_backend.h"

namespace audify {
namespace {

using nn::cnn::ClipSpectrograms;
using nn::cnn::CnnSpec;
using nn::cnn::InputScaling;
using nn::cnn::WindowConfig;

ClipSpectrograms spectrograms(const Examples& x, std::string_view kind) {
  if (!x.frames)
    fail("model.kind = \"{}\" trains on frame-level features; the data has feature rows", kind);
  ClipSpectrograms out{x.frames->bands(), {}, {}};
  out.clips.reserve(x.clips.size());
  for (std::size_t clip : x.clips) out.clips.push_back(x.frames->clip(clip));
  if (x.variants)
    for (std::size_t clip : x.clips) out.variants.push_back(x.variants->of(clip));
  return out;
}

nlohmann::json spec_json(const CnnSpec& s, const WindowConfig& w, const InputScaling& scaling) {
  std::vector<std::string> conv;
  for (const auto& block : s.conv) conv.push_back(nn::cnn::to_string(block));
  return {{"bands", s.bands},
          {"window", w.window},
          {"hop", w.hop},
          {"classes", s.classes},
          {"conv", conv},
          {"dense", s.dense},
          {"dropout", s.dropout},
          {"l2", s.l2},
          {"input_mean", scaling.mean},
          {"input_inv_std", scaling.inv_std}};
}

// Threads for a CNN's training and inference: OPENBLAS_NUM_THREADS when set (what a user already
// sets to keep a job to its share of a machine), else every core.
int cnn_threads() {
  if (const char* env = std::getenv("OPENBLAS_NUM_THREADS"); env != nullptr && std::atoi(env) > 0)
    return std::atoi(env);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// The convolutions split each batch's samples over the threads, each GEMM single-threaded: at
// SB-CNN's shapes that scales where OpenBLAS's own threads did not (docs/performance.md). Several
// CNNs at once on a busy machine run fastest on one thread each (OPENBLAS_NUM_THREADS=1).
void use_cnn_threads(nn::cnn::Sequential& net) {
  set_blas_threads(1);
  net.set_threads(cnn_threads());
}

class CnnModel final : public RunModel {
 public:
  // `device`: the GPU trainer (device=cuda), or null for the CPU.
  CnnModel(std::string kind, const CnnSpec& spec, const nn::TrainConfig& train,
           const WindowConfig& windows, const AugmentOptions& augment = {},
           std::unique_ptr<nn::DeviceTrainer> device = {})
      : kind_(std::move(kind)),
        spec_(spec),
        train_(train),
        windows_(windows),
        augment_(augment),
        device_(std::move(device)),
        net_(nn::cnn::make_cnn(spec, train.seed)) {}

  void fit(const Examples& x, std::span<const int> labels, const EpochHook& on_epoch) override {
    use_cnn_threads(net_);
    train(x, labels, on_epoch);
  }

  nn::DeviceTrainer* device() const { return device_.get(); }

  // fit without touching OpenBLAS's thread count, which is process-wide: the caller sets it once
  // when several models train at once.
  void train(const Examples& x, std::span<const int> labels, const EpochHook& on_epoch) {
    ClipSpectrograms clips = spectrograms(x, kind_);
    if (clips.bands != spec_.bands)
      fail("model {}: built for {} bands, the frames have {}", kind_, spec_.bands, clips.bands);
    clips.versions_per_epoch = augment_.versions_per_epoch;
    const auto report = [&](const nn::EpochStats& s, const InputScaling& scaling) {
      scaling_ = scaling;
      if (on_epoch)
        on_epoch({s.epoch, s.loss, s.train_accuracy, s.val_loss, s.val_accuracy},
                 *this);  // it may predict
    };
    nn::cnn::CnnStepperFactory stepper;
    if (device_)
      stepper = [this](nn::cnn::Sequential& net, const nn::AdamHyper& adam, uint64_t seed,
                       nn::cnn::SgdMomentum sgd, int max_batch) {
        return device_->make_cnn_stepper(net, adam, seed, sgd, max_batch);
      };
    scaling_ = nn::cnn::fit_cnn(net_, clips, labels, train_, windows_, report,
                                make_batch_augmenter(augment_, train_.seed), stepper)
                   .scaling;
  }

  Matrix predict_proba(const Examples& x) const override {
    const ClipSpectrograms clips = spectrograms(x, kind_);
    const std::lock_guard lock(mutex_);  // the network keeps each forward's activations
    return nn::cnn::predict_clips(net_, clips, windows_, scaling_);
  }

  void save(const std::filesystem::path& path,
            std::map<std::string, std::string> metadata) const override {
    nn::SafetensorsFile file;
    file.metadata = std::move(metadata);
    file.metadata["audify.model_kind"] = kind_;
    file.metadata["audify.cnn"] = spec_json(spec_, windows_, scaling_).dump();
    const std::lock_guard lock(mutex_);
    for (auto& [name, values] : net_.state())
      file.tensors[name] = {{static_cast<int64_t>(values->size())}, *values};
    nn::write_safetensors(path, file);
  }

  int classes() const override { return spec_.classes; }
  std::size_t parameter_count() const override { return net_.parameter_count(); }

  static LoadedModel load(const std::filesystem::path& path) {
    nn::SafetensorsFile file = nn::read_safetensors(path);
    const auto meta = file.metadata.find("audify.cnn");
    if (meta == file.metadata.end()) fail("{}: metadata has no audify.cnn", path.string());
    CnnSpec spec;
    WindowConfig windows;
    InputScaling scaling;
    try {
      const auto j = nlohmann::json::parse(meta->second);
      spec.bands = j.at("bands");
      spec.frames = windows.window = j.at("window");
      windows.hop = j.at("hop");
      spec.classes = j.at("classes");
      for (const std::string& block : j.at("conv").get<std::vector<std::string>>())
        spec.conv.push_back(nn::cnn::parse_conv_block(block, path.string()));
      spec.dense = j.at("dense").get<std::vector<int>>();
      spec.dropout = j.at("dropout");
      spec.l2 = j.at("l2");
      scaling = {j.at("input_mean"), j.at("input_inv_std")};
    } catch (const nlohmann::json::exception& e) {
      fail("{}: metadata audify.cnn is malformed: {}", path.string(), e.what());
    }
    const std::string kind = file.metadata.at("audify.model_kind");
    auto model = std::make_unique<CnnModel>(kind, spec, nn::TrainConfig{}, windows);
    model->scaling_ = scaling;
    for (auto& [name, values] : model->net_.state()) {
      const nn::Tensor& t = file.at(name);
      if (t.data.size() != values->size())
        fail("{}: tensor {} has {} values, the network needs {}", path.string(), name,
             t.data.size(), values->size());
      *values = t.data;
    }
    use_cnn_threads(model->net_);  // a clip's windows, classified as fit's batches run
    LoadedModel out;
    out.model = std::move(model);
    out.metadata = std::move(file.metadata);
    return out;
  }

 private:
  std::string kind_;
  CnnSpec spec_;
  nn::TrainConfig train_;
  WindowConfig windows_;
  AugmentOptions augment_;
  std::unique_ptr<nn::DeviceTrainer> device_;  // null: trained on the CPU
  mutable nn::cnn::Sequential net_;
  InputScaling scaling_;
  mutable std::mutex mutex_;
};

void bind_window(OptionSchema& s, ModelOptions& o) {
  s.field("kind", o.kind, "model family");
  s.field("window_frames", o.cnn.window_frames,
          "frames per window: training crops one at random per clip and epoch");
  s.field("dropout", o.cnn.dropout, "dropout rate before every dense layer (0 = none)");
  s.field("l2", o.cnn.l2, "L2 penalty on the hidden dense layers' weights (Keras l2)");
}

void bind_sb_cnn(OptionSchema& s, ModelOptions& o) {
  bind_window(s, o);
}

void bind_cnn(OptionSchema& s, ModelOptions& o) {
  bind_window(s, o);
  s.field("conv", o.cnn.conv,
          "conv blocks: FILTERSxKHxKW[+poolPHxPW][+strideSHxSW][+bn], e.g. \"32x3x3+bn+pool2x2\"");
  s.field("dense", o.cnn.dense, "hidden dense layers' units, after the flatten");
}

CnnSpec spec_of(const RunConfig& c, int bands, int classes, bool configurable) {
  CnnSpec spec = nn::cnn::sb_cnn_spec(bands, c.model.cnn.window_frames, classes);
  if (configurable) {
    spec.conv.clear();
    for (std::size_t i = 0; i < c.model.cnn.conv.size(); ++i)
      spec.conv.push_back(
          nn::cnn::parse_conv_block(c.model.cnn.conv[i], fmt::format("model.conv[{}]", i)));
    spec.dense = c.model.cnn.dense;
  }
  spec.dropout = c.model.cnn.dropout;
  spec.l2 = c.model.cnn.l2;
  return spec;
}

std::unique_ptr<RunModel> make(const RunConfig& c, int bands, int classes, bool configurable) {
  return std::make_unique<CnnModel>(
      c.model.kind, spec_of(c, bands, classes, configurable), c.train.to_train_config(c.seed),
      WindowConfig{c.model.cnn.window_frames, c.eval.hop_frames}, c.augment,
      c.resolved_device() == "cuda" ? nn::make_device_trainer() : nullptr);
}

std::unique_ptr<RunModel> make_sb_cnn(const RunConfig& c, int bands, int classes) {
  return make(c, bands, classes, false);
}
std::unique_ptr<RunModel> make_cnn(const RunConfig& c, int bands, int classes) {
  return make(c, bands, classes, true);
}

}  // namespace

bool fit_device_cnns_together(std::span<FitRequest> requests) {
  std::vector<CnnModel*> models;
  for (const FitRequest& r : requests)
    if (auto* cnn = dynamic_cast<CnnModel*>(r.model); cnn && cnn->device()) models.push_back(cnn);
  if (requests.size() < 2 || models.size() != requests.size()) return false;
  spdlog::info(
      "training {} CNNs together on {}: one host thread, stream and cuDNN handle each, the "
      "device overlapping their steps",
      models.size(), models.front()->device()->name());
  // Each model's host work (windows, augmentation, the emulation's arithmetic, the hooks'
  // predictions) gets its share of the cores.
  set_blas_threads(std::max(1, cnn_threads() / static_cast<int>(models.size())));
  std::mutex hooks;  // the runner's epoch hooks share its bookkeeping: one at a time
  parallel_jobs(models.size(), static_cast<int>(models.size()), [&](std::size_t i) {
    const FitRequest& r = requests[i];
    const EpochHook hook = [&hooks, &r](const EpochReport& e, const RunModel& m) {
      if (!r.on_epoch) return;
      const std::lock_guard lock(hooks);
      r.on_epoch(e, m);
    };
    models[i]->train(*r.x, r.labels, hook);
  });
  return true;
}

void check_cnn_options(const RunConfig& c) {
  if (c.model.cnn.window_frames <= 0)
    fail("model.window_frames: {} must be > 0", c.model.cnn.window_frames);
  const int bands =
      c.features.frames == Frames::log_mel ? c.features.mfcc.n_mels : c.features.mfcc.n_mfcc;
  // Building the network checks every block against the window it gets (too small, bad sizes).
  nn::cnn::make_cnn(spec_of(c, bands, 2, c.model.kind == "cnn"), 0);
}

const ModelKind& sb_cnn_kind() {
  static const ModelKind kind{"sb_cnn",        "Salamon & Bello 2017's CNN on log-mel windows",
                              &bind_sb_cnn,    &make_sb_cnn,
                              &CnnModel::load, true};
  return kind;
}

const ModelKind& cnn_kind() {
  static const ModelKind kind{
      "cnn",           "a CNN of configurable conv blocks on log-mel windows",
      &bind_cnn,       &make_cnn,
      &CnnModel::load, true};
  return kind;
}

}  // namespace audify
