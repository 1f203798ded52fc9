// Adapter from baselines/classifier.h to RunModel. The Classifier's save() bytes go to
// model.<kind>.json (the CART forest's: model.random_forest.safetensors); model.safetensors then
// holds no tensors, only the metadata (config, classes, feature options) and the name of that file,
// so `audify classify` and the server load a baseline through the same model.safetensors as an MLP.
#include "experiment/baseline_models.h"

#include <cmath>

#include "baselines/random_forest.h"
#include "baselines/svm_rbf.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "nn/safetensors.h"

namespace audify {
namespace {

class BaselineModel final : public RunModel {
 public:
  BaselineModel(std::unique_ptr<Classifier> model, int classes)
      : model_(std::move(model)), classes_(classes) {}

  void fit(const Examples& examples, std::span<const int> labels,
           const EpochHook& on_epoch) override {
    const Matrix& x = examples.feature_rows(model_->kind());
    model_->fit(x, labels, classes_);
    if (!on_epoch) return;
    const std::vector<int> predicted = argmax_rows(model_->predict_proba(x));
    std::size_t hits = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) hits += predicted[i] == labels[i];
    on_epoch({1, std::nan(""), labels.empty() ? 0.0 : double(hits) / double(labels.size())}, *this);
  }
  Matrix predict_proba(const Examples& x) const override {
    return model_->predict_proba(x.feature_rows(model_->kind()));
  }
  void save(const std::filesystem::path& path,
            std::map<std::string, std::string> metadata) const override {
    const std::string kind(model_->kind());
    const std::string file = "model." + kind + std::string(model_->save_suffix());
    write_file_atomic(path.parent_path() / file, model_->save());
    nn::SafetensorsFile st;
    st.metadata = std::move(metadata);
    st.metadata["audify.model_kind"] = kind;
    st.metadata["audify.model_file"] = file;
    nn::write_safetensors(path, st);
  }
  int classes() const override { return classes_; }

 private:
  std::unique_ptr<Classifier> model_;
  int classes_;
};

LoadedModel load_baseline(const std::filesystem::path& path) {
  nn::SafetensorsFile st = nn::read_safetensors(path);
  const auto kind = st.metadata.find("audify.model_kind");
  const auto file = st.metadata.find("audify.model_file");
  if (kind == st.metadata.end() || file == st.metadata.end())
    fail("{}: metadata lacks audify.model_kind or audify.model_file", path.string());
  // The file name comes from the file itself: keep it inside the run directory.
  const std::filesystem::path name(file->second);
  if (name.empty() || name != name.filename() || name == "." || name == "..")
    fail("{}: audify.model_file '{}' is not a plain file name", path.string(), file->second);
  const std::filesystem::path model_path = path.parent_path() / name;
  std::unique_ptr<Classifier> model =
      load_classifier(kind->second, read_file(model_path), model_path.string());
  const int classes = model->classes();
  LoadedModel out;
  out.model = std::make_unique<BaselineModel>(std::move(model), classes);
  out.metadata = std::move(st.metadata);
  return out;
}

void bind_svm(OptionSchema& s, ModelOptions& o) {
  s.field("kind", o.kind, "model family");
  bind(s, o.svm);
}

void bind_forest(OptionSchema& s, ModelOptions& o) {
  s.field("kind", o.kind, "model family");
  bind(s, o.forest);
}

std::unique_ptr<RunModel> make_svm(const RunConfig& c, int /*inputs*/, int classes) {
  SvmOptions options = c.model.svm;
  options.seed += c.seed;
  return std::make_unique<BaselineModel>(std::make_unique<SvmRbf>(options), classes);
}

std::unique_ptr<RunModel> make_forest(const RunConfig& c, int /*inputs*/, int classes) {
  ForestOptions options = c.model.forest;
  options.seed += c.seed;
  return std::make_unique<BaselineModel>(make_random_forest(options), classes);
}

}  // namespace

const ModelKind& svm_rbf_kind() {
  static const ModelKind kind{"svm_rbf", "C-SVC with an RBF kernel (libsvm)", &bind_svm, &make_svm,
                              &load_baseline};
  return kind;
}

const ModelKind& random_forest_kind() {
  static const ModelKind kind{"random_forest",
                              "random forest (scikit-learn's CART; engine=xgboost)", &bind_forest,
                              &make_forest, &load_baseline};
  return kind;
}

}  // namespace audify
