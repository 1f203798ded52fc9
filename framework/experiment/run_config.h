// The typed config of one `audify run`: every top-level table of the composed TOML bound to an
// options struct through an OptionSchema, so unknown keys and bad values are errors naming the file
// or override that set them, and the resolved struct writes back out as the run's config.toml.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "augment/augment_options.h"
#include "baselines/baseline_options.h"
#include "config/compose.h"
#include "config/options.h"
#include "data/data_options.h"
#include "data/splits.h"
#include "experiment/launcher_options.h"
#include "features/feature_options.h"
#include "nn/mlp.h"
#include "nn/trainer.h"

namespace audify {

// `model.*` of the CNN kinds (experiment/cnn_model.h). sb_cnn binds the window, dropout and L2
// only (its layers are Salamon & Bello's); cnn binds the layers too (nn/cnn/cnn_spec.h).
struct CnnOptions {
  std::vector<std::string> conv = {"24x5x5+pool4x2", "48x5x5+pool4x2", "48x5x5"};
  std::vector<int> dense = {64};
  double dropout = 0.5;
  double l2 = 1e-3;
  int window_frames = 128;
};

// `model.*`: the model family and its hyperparameters. Only the fields of `kind` are bound, so a
// key of another family is an unknown key (experiment/model_factory.h lists the families).
struct ModelOptions {
  std::string kind = "mlp";
  nn::MlpConfig mlp;     // kind = mlp (inputs and classes are set from the data at run time)
  SvmOptions svm;        // kind = svm_rbf
  ForestOptions forest;  // kind = random_forest
  CnnOptions cnn;        // kind = sb_cnn | cnn
};

// eval.curve_every = "auto": every epoch for models on feature rows, about ten points for
// frame-level models, whose points cost two passes over every window of the test side (as much
// as an epoch of SB-CNN training on fold 10, twice it where the test side is as large as the
// training one).
inline constexpr int kCurveEveryAuto = std::numeric_limits<int>::min();

// `eval.*`: how frame-level models classify a clip, and how often the learning curve is measured.
struct EvalOptions {
  int hop_frames = 16;  // frames between the windows whose mean softmax classifies a clip
  int curve_every = kCurveEveryAuto;  // epochs between the learning curve's points (0: none)
};

// `train.*`: the optimisation recipe (nn/trainer.h's TrainConfig, seed as a config int).
struct TrainOptions {
  int epochs = 100;
  int batch_size = 50;
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-7, weight_decay = 0.0;
  bool standardize = false;
  int seed = 0;
  bool shuffle = true;
  int early_stopping_patience = 0;
  double validation_fraction = 0.0;
  std::string optimizer = "adam";
  double momentum = 0.9;
  int average_epochs = 0;  // CNNs: final weights = mean over the last N epochs (0 = last epoch's)
  bool refit = false;  // after the splits, fit the saved model on every clip (k-fold's final model)

  // The trainer's config with the replicate seed added to `seed`.
  nn::TrainConfig to_train_config(int replicate_seed) const;
};

struct RunConfig {
  std::string experiment = "default";
  std::string device = "auto";
  int seed = 0;  // replicate seed, added to every stage's seed
  std::string output_root = "outputs";
  bool report = true;  // end the run (or multirun) by writing report.md and report.html into it
  DataOptions data;
  FeatureOptions features;
  ModelOptions model;
  SplitOptions split;
  TrainOptions train;
  EvalOptions eval;
  AugmentOptions augment;
  LauncherOptions launcher;
  // The files composed into this config, full paths in merge order (not a key: for the run's
  // log and `run --cfg`; empty for a config read back from a run's config.toml).
  std::vector<std::string> config_files;

  // The split options with the replicate seed added.
  SplitOptions effective_split() const;
  // Epochs between the learning curve's points, eval.curve_every with "auto" resolved (0: none).
  int curve_spacing() const;
  // "cpu" for auto; throws for a device this build cannot use.
  std::string resolved_device() const;
};

// Validates a composed config against every table's schema and returns the typed config. Throws
// audify::Error naming the key and its origin.
RunConfig resolve_run_config(const ComposedConfig& composed);

// Composes from config_search_path() and resolves, in one step.
RunConfig load_run_config(const std::vector<Override>& overrides,
                          ComposedConfig* composed = nullptr);

// The resolved config as a TOML table (every key of every schema, with its value).
toml::table run_config_table(const RunConfig& config);
// The `features` table alone (stored in model metadata, read back by `audify classify`).
toml::table feature_options_table(const FeatureOptions& options);
// Parses a `features` table written by feature_options_table; `where` names it in errors.
FeatureOptions feature_options_from_table(const toml::table& table, const std::string& where);

}  // namespace audify
