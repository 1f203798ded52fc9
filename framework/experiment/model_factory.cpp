// The model families of the runner. Each adapter maps its library (nn/ for the MLP) onto RunModel.
#include "experiment/model_factory.h"

#include <vector>

#include "core/error.h"
#include "experiment/baseline_models.h"
#include "experiment/cnn_model.h"
#include "nn/mlp_io.h"
#include "nn/safetensors.h"
#include "nn/train_backend.h"

namespace audify {
namespace {

constexpr const char* kKindKey = "audify.model_kind";

// The seed's Keras MLP, trained by nn::fit, or by the device trainer when one is given (same
// schedule and history; inference and saving stay on the host model either way).
class MlpModel final : public RunModel {
 public:
  MlpModel(nn::Mlp model, nn::TrainConfig train, std::unique_ptr<nn::DeviceTrainer> device = {})
      : model_(std::move(model)), train_(train), device_(std::move(device)) {}

  void fit(const Examples& examples, std::span<const int> labels,
           const EpochHook& on_epoch) override {
    const Matrix& x = examples.feature_rows("mlp");
    const nn::FitJob job = fit_job(x, labels, on_epoch);
    if (device_)
      device_->fit(model_, x, labels, train_, job.on_epoch);
    else
      nn::fit(model_, x, labels, train_, job.on_epoch);
  }
  // fit's arguments as a device job; `on_epoch` must outlive the job.
  nn::FitJob fit_job(const Matrix& x, std::span<const int> labels, const EpochHook& on_epoch) {
    nn::EpochCallback report = [this, &on_epoch](const nn::EpochStats& s) {
      if (on_epoch)
        on_epoch({s.epoch, s.loss, s.train_accuracy, s.val_loss, s.val_accuracy}, *this);
    };
    return {&model_, &x, labels, train_, std::move(report)};
  }
  nn::DeviceTrainer* device() const { return device_.get(); }
  // What the device trainer needs equal to train models together (dropout may differ).
  bool same_shape(const MlpModel& other) const {
    const nn::MlpConfig &a = model_.config(), &b = other.model_.config();
    return a.inputs == b.inputs && a.hidden == b.hidden && a.classes == b.classes &&
           a.activation == b.activation;
  }
  Matrix predict_proba(const Examples& x) const override {
    return model_.predict_proba(x.feature_rows("mlp"));
  }
  void save(const std::filesystem::path& path,
            std::map<std::string, std::string> metadata) const override {
    metadata[kKindKey] = "mlp";
    nn::save_mlp(path, model_, metadata);
  }
  int classes() const override { return model_.config().classes; }
  std::size_t parameter_count() const override {
    const nn::MlpConfig& c = model_.config();
    std::vector<int> dims = {c.inputs};
    dims.insert(dims.end(), c.hidden.begin(), c.hidden.end());
    dims.push_back(c.classes);
    std::size_t n = 0;
    for (std::size_t l = 0; l + 1 < dims.size(); ++l)
      n += static_cast<std::size_t>(dims[l] + 1) * static_cast<std::size_t>(dims[l + 1]);
    return n;
  }

 private:
  nn::Mlp model_;
  nn::TrainConfig train_;
  std::unique_ptr<nn::DeviceTrainer> device_;
};

void bind_mlp(OptionSchema& s, ModelOptions& o) {
  s.field("kind", o.kind, "model family");
  s.field("hidden", o.mlp.hidden, "units per hidden layer");
  s.field("activation", o.mlp.activation, "hidden activation: relu | tanh | sigmoid");
  s.field("dropout", o.mlp.dropout, "dropout rate after every hidden layer (0 = none)");
}

std::unique_ptr<RunModel> make_mlp(const RunConfig& c, int inputs, int classes) {
  nn::MlpConfig m = c.model.mlp;
  m.inputs = inputs;
  m.classes = classes;
  const nn::TrainConfig train = c.train.to_train_config(c.seed);
  std::unique_ptr<nn::DeviceTrainer> device;
  if (c.resolved_device() == "cuda") device = nn::make_device_trainer();
  return std::make_unique<MlpModel>(nn::Mlp(m, train.seed), train, std::move(device));
}

LoadedModel load_mlp_model(const std::filesystem::path& path) {
  nn::LoadedMlp loaded = nn::load_mlp(path);
  LoadedModel out;
  out.metadata = std::move(loaded.metadata);
  out.model = std::make_unique<MlpModel>(std::move(loaded.model), nn::TrainConfig{});
  return out;
}

// The registry: add a family here.
const std::vector<ModelKind>& kinds() {
  static const std::vector<ModelKind> all = {
      {"mlp", "multilayer perceptron (the seed's Keras model)", &bind_mlp, &make_mlp,
       &load_mlp_model},
      svm_rbf_kind(),
      random_forest_kind(),
      sb_cnn_kind(),
      cnn_kind(),
  };
  return all;
}

}  // namespace

Examples Examples::of_rows(Matrix rows) {
  Examples e;
  e.rows = std::move(rows);
  return e;
}

Examples Examples::of_frames(const FrameStore& frames, std::vector<std::size_t> clips) {
  Examples e;
  e.frames = &frames;
  e.clips = std::move(clips);
  return e;
}

const Matrix& Examples::feature_rows(std::string_view kind) const {
  if (frames)
    fail(
        "model.kind = \"{}\" takes one feature row per clip, but the features are frame-level "
        "(features.summary = \"none\"): choose features=mfcc40_mean or salamon2014, or a CNN "
        "(model=sb_cnn, model=cnn)",
        kind);
  return rows;
}

const ModelKind* find_model_kind(const std::string& name) {
  for (const ModelKind& k : kinds())
    if (k.name == name) return &k;
  return nullptr;
}

std::string model_kind_names() {
  std::string out;
  for (const ModelKind& k : kinds()) out += (out.empty() ? "" : ", ") + k.name;
  return out;
}

void bind_model_options(OptionSchema& schema, ModelOptions& options) {
  const ModelKind* kind = find_model_kind(options.kind);
  AUDIFY_ASSERT(kind != nullptr);
  kind->bind(schema, options);
}

std::unique_ptr<RunModel> make_model(const RunConfig& config, int inputs, int classes) {
  const ModelKind* kind = find_model_kind(config.model.kind);
  if (!kind) fail("model.kind '{}' is unknown (known: {})", config.model.kind, model_kind_names());
  return kind->make(config, inputs, classes);
}

void fit_together(std::span<FitRequest> requests) {
  if (fit_device_cnns_together(requests)) return;
  std::vector<MlpModel*> mlps;
  for (const FitRequest& r : requests) {
    auto* mlp = dynamic_cast<MlpModel*>(r.model);
    if (!mlp || !mlp->device() || (!mlps.empty() && !mlp->same_shape(*mlps.front()))) break;
    mlps.push_back(mlp);
  }
  if (requests.size() < 2 || mlps.size() != requests.size()) {
    for (const FitRequest& r : requests) r.model->fit(*r.x, r.labels, r.on_epoch);
    return;
  }
  std::vector<nn::FitJob> jobs;
  for (std::size_t i = 0; i < requests.size(); ++i)
    jobs.push_back(mlps[i]->fit_job(requests[i].x->feature_rows("mlp"), requests[i].labels,
                                    requests[i].on_epoch));
  mlps.front()->device()->fit_many(jobs);
}

LoadedModel load_model(const std::filesystem::path& path) {
  const nn::SafetensorsFile file = nn::read_safetensors(path);
  const auto it = file.metadata.find(kKindKey);
  // Files from before the kind was recorded are MLPs.
  const std::string name = it == file.metadata.end() ? "mlp" : it->second;
  const ModelKind* kind = find_model_kind(name);
  if (!kind)
    fail("{}: model kind '{}' is unknown (known: {})", path.string(), name, model_kind_names());
  return kind->load(path);
}

}  // namespace audify
