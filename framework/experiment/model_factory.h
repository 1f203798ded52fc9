// The models `audify run` can train, keyed by `model.kind`: each family declares its `model.*`
// keys, builds an untrained model for the data's shape, and loads a saved one. Families: mlp (nn/),
// the baselines svm_rbf and random_forest (experiment/baseline_models.h), and the CNNs sb_cnn and
// cnn (experiment/cnn_model.h); adding one is an adapter class and one entry in the table in
// model_factory.cpp.
#pragma once

#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/matrix.h"
#include "experiment/run_config.h"

namespace audify {

// What a model reports after each training epoch (families without epochs report once).
struct EpochReport {
  int epoch = 0;                // 1-based
  double loss = 0.0;            // NaN where the family has no loss
  double train_accuracy = 0.0;  // running accuracy over the epoch (dropout on)
  // The held-out validation rows (train.validation_fraction); NaN when there are none.
  double val_loss = std::numeric_limits<double>::quiet_NaN();
  double val_accuracy = std::numeric_limits<double>::quiet_NaN();
};

class FrameStore;
struct FrameVariants;

// The clips a model trains on or predicts, in label order: their feature rows (the vector models:
// mlp, svm_rbf, random_forest), or their frame-level features in a FrameStore (the CNNs).
struct Examples {
  Matrix rows;                         // (clips, features); empty for frame-level data
  const FrameStore* frames = nullptr;  // frame-level data, else null
  std::vector<std::size_t> clips;      // indices into *frames
  // Training examples only: augmented variants of the frames' clips (indexed like *frames).
  const FrameVariants* variants = nullptr;

  static Examples of_rows(Matrix rows);
  static Examples of_frames(const FrameStore& frames, std::vector<std::size_t> clips);
  std::size_t size() const { return frames ? clips.size() : rows.rows; }
  // The feature rows; throws audify::Error naming `kind` when the data is frame-level.
  const Matrix& feature_rows(std::string_view kind) const;
};

class RunModel;
// Called after each epoch with the model holding that epoch's parameters.
using EpochHook = std::function<void(const EpochReport&, const RunModel&)>;

class RunModel {
 public:
  virtual ~RunModel() = default;
  // labels in [0, classes), one per example.
  virtual void fit(const Examples& x, std::span<const int> labels, const EpochHook& on_epoch) = 0;
  // (examples, classes) probabilities.
  virtual Matrix predict_proba(const Examples& x) const = 0;
  // Writes the model atomically; `metadata` is stored with it (with audify.model_kind added).
  virtual void save(const std::filesystem::path& path,
                    std::map<std::string, std::string> metadata) const = 0;
  virtual int classes() const = 0;
  // Trained weights, for the reports' architecture table; 0 where the family has no fixed count
  // (the baselines' support vectors and trees depend on the data).
  virtual std::size_t parameter_count() const { return 0; }
};

struct LoadedModel {
  std::unique_ptr<RunModel> model;
  std::map<std::string, std::string> metadata;
};

struct ModelKind {
  std::string name;
  std::string doc;
  void (*bind)(OptionSchema& schema, ModelOptions& options);
  // An untrained model for `inputs` features (mel bands for frame-level kinds) and `classes`.
  std::unique_ptr<RunModel> (*make)(const RunConfig& config, int inputs, int classes);
  LoadedModel (*load)(const std::filesystem::path& path);
  bool frame_level = false;  // trains on frame-level features (features.summary = "none")
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
  const Examples* x = nullptr;
  std::span<const int> labels;
  EpochHook on_epoch;
};

// Trains every request's model as its own fit would. Mlps of one shape on a device trainer train in
// one fit_many pass (k-fold folds at once, each with its lone result), CNNs on a device
// concurrently (fit_device_cnns_together); otherwise each fit runs in order. Epoch hooks may
// interleave.
void fit_together(std::span<FitRequest> requests);

}  // namespace audify
