// The models `audify run` can train, keyed by `model.kind`: each family declares its `model.*`
// keys, builds an untrained model for the data's shape, and loads a saved one. Families: mlp (nn/),
// and the baselines svm_rbf and random_forest (experiment/baseline_models.h); adding one is an
// adapter class and one entry in the table in model_factory.cpp.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "core/matrix.h"
#include "experiment/run_config.h"

namespace audify {

// What a model reports after each training epoch (families without epochs report once).
struct EpochReport {
  int epoch = 0;                // 1-based
  double loss = 0.0;            // NaN where the family has no loss
  double train_accuracy = 0.0;  // running accuracy over the epoch
};

class RunModel;
// Called after each epoch with the model holding that epoch's parameters.
using EpochHook = std::function<void(const EpochReport&, const RunModel&)>;

class RunModel {
 public:
  virtual ~RunModel() = default;
  // x: (rows, features); labels in [0, classes).
  virtual void fit(const Matrix& x, std::span<const int> labels, const EpochHook& on_epoch) = 0;
  // (rows, classes) probabilities.
  virtual Matrix predict_proba(const Matrix& x) const = 0;
  // Writes the model atomically; `metadata` is stored with it (with audify.model_kind added).
  virtual void save(const std::filesystem::path& path,
                    std::map<std::string, std::string> metadata) const = 0;
  virtual int classes() const = 0;
};

struct LoadedModel {
  std::unique_ptr<RunModel> model;
  std::map<std::string, std::string> metadata;
};

struct ModelKind {
  std::string name;
  std::string doc;
  void (*bind)(OptionSchema& schema, ModelOptions& options);
  // An untrained model for `inputs` features and `classes` classes.
  std::unique_ptr<RunModel> (*make)(const RunConfig& config, int inputs, int classes);
  LoadedModel (*load)(const std::filesystem::path& path);
};

const ModelKind* find_model_kind(const std::string& name);
std::string model_kind_names();  // "mlp, ..." for error messages

// Declares the model.* keys of the kind in options.kind (which must exist).
void bind_model_options(OptionSchema& schema, ModelOptions& options);
// Throws audify::Error for an unknown kind.
std::unique_ptr<RunModel> make_model(const RunConfig& config, int inputs, int classes);
// Reads the kind from the file's metadata (audify.model_kind) and loads it.
LoadedModel load_model(const std::filesystem::path& path);

// One model's fit arguments, for fit_together.
struct FitRequest {
  RunModel* model = nullptr;
  const Matrix* x = nullptr;
  std::span<const int> labels;
  EpochHook on_epoch;
};

// Trains every request's model as its own fit would. When all are mlps of one shape on a device
// trainer they train together in one fit_many pass (k-fold folds at once; each still gets its lone
// result); otherwise each fit runs in order. Epoch hooks of different models may interleave.
void fit_together(std::span<FitRequest> requests);

}  // namespace audify
