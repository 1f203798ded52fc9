// Binding of the run's tables: one OptionSchema per top-level table, the model table's keys chosen
// by `model.kind` (experiment/model_factory.h), then range checks the schemas cannot express.
#include "experiment/run_config.h"

#include <algorithm>
#include <memory>

#include "config/paths.h"
#include "config/validate.h"
#include "core/error.h"
#include "experiment/cnn_model.h"
#include "experiment/model_factory.h"
#include "nn/train_backend.h"
#include "nn/trainer.h"

namespace audify {
namespace {

void bind_top(OptionSchema& s, RunConfig& c) {
  s.field("experiment", c.experiment, "run name: runs go to <output_root>/<experiment>/");
  s.field("device", c.device, "auto | cpu | cuda: backend for features and training");
  s.field("seed", c.seed, "replicate seed, added to the data, split and train seeds");
  s.field("output_root", c.output_root, "folder that holds the run directories");
  s.field("report", c.report, "write report.md and report.html into the run or multirun folder");
}

void bind(OptionSchema& s, TrainOptions& t) {
  s.field("epochs", t.epochs, "passes over the training set");
  s.field("batch_size", t.batch_size, "clips per gradient step");
  s.field("lr", t.lr, "Adam learning rate");
  s.field("beta1", t.beta1, "Adam first-moment decay");
  s.field("beta2", t.beta2, "Adam second-moment decay");
  s.field("eps", t.eps, "Adam epsilon");
  s.field("weight_decay", t.weight_decay, "L2 penalty on weights");
  s.field("standardize", t.standardize, "z-score features with train-set statistics");
  s.field("seed", t.seed, "weight init, dropout masks and batch order");
  s.field("shuffle", t.shuffle, "reshuffle the training set every epoch");
  s.field("early_stopping_patience", t.early_stopping_patience,
          "epochs without val_loss improvement before stopping; 0 = off");
  s.field("validation_fraction", t.validation_fraction,
          "last fraction of the training rows held out for early stopping (Keras)");
  s.field("optimizer", t.optimizer, "adam | sgd (with momentum; the CNNs only)");
  s.field("momentum", t.momentum, "sgd: momentum (PyTorch's rule, v = momentum v + g)");
  s.field("average_epochs", t.average_epochs,
          "CNNs: the final weights are the mean of those after each of the last N epochs "
          "(stochastic weight averaging); 0 = the last epoch's");
  s.field("refit", t.refit,
          "after the splits, fit the saved model on all clips (else it is the last split's)");
}

void bind(OptionSchema& s, EvalOptions& e) {
  s.field("hop_frames", e.hop_frames,
          "frame-level models: frames between the windows whose mean softmax classifies a clip");
  s.number_or_name("curve_every", e.curve_every, {{"auto", kCurveEveryAuto}},
                   "epochs between the learning curve's train/test points (and the first and last "
                   "epoch); 0 = no curve; \"auto\" = 1 for feature rows, epochs / 10 for "
                   "frame-level models (each point costs two test-set passes)");
}

// The run's schemas, bound to `c`; the model schema depends on the kind already in `c.model`.
struct Schemas {
  OptionSchema top{""}, data{"data"}, features{"features"}, model{"model"}, split{"split"},
      train{"train"}, eval{"eval"}, augment{"augment"}, launcher{"launcher"};

  explicit Schemas(RunConfig& c) {
    bind_top(top, c);
    audify::bind(data, c.data);
    audify::bind(features, c.features);
    bind_model_options(model, c.model);
    audify::bind(split, c.split);
    bind(train, c.train);
    bind(eval, c.eval);
    audify::bind(augment, c.augment);
    audify::bind(launcher, c.launcher);
  }
  std::vector<const OptionSchema*> all() const {
    return {&top, &data, &features, &model, &split, &train, &eval, &augment, &launcher};
  }
};

// The keys the run's schemas accept for the model and launcher kinds composed so far (a bad kind
// is reported by resolve_run_config; the defaults' keys stand in until then).
std::vector<std::string> run_config_keys(const toml::table& composed) {
  RunConfig c;
  if (auto kind = composed.at_path("model.kind").value<std::string>();
      kind && find_model_kind(*kind))
    c.model.kind = *kind;
  if (auto kind = composed.at_path("launcher.kind").value<std::string>();
      kind && (*kind == "local" || *kind == "slurm"))
    c.launcher.kind = *kind;
  const Schemas schemas(c);
  return schema_keys(schemas.all());
}

void check(const RunConfig& c) {
  if (c.experiment.empty() || c.experiment.find('/') != std::string::npos || c.experiment == "." ||
      c.experiment == "..")
    fail("experiment: '{}' is not a usable folder name", c.experiment);
  if (c.output_root.empty()) fail("output_root: must not be empty");
  if (c.seed < 0) fail("seed: {} is negative", c.seed);
  if (c.train.epochs <= 0) fail("train.epochs: {} must be > 0", c.train.epochs);
  if (c.train.batch_size <= 0) fail("train.batch_size: {} must be > 0", c.train.batch_size);
  if (!(c.train.lr > 0)) fail("train.lr: {} must be > 0", c.train.lr);
  if (c.train.seed < 0) fail("train.seed: {} is negative", c.train.seed);
  if (c.train.validation_fraction < 0 || c.train.validation_fraction >= 1)
    fail("train.validation_fraction: {} is outside [0, 1)", c.train.validation_fraction);
  // The trainer's own checks (Adam's betas, eps, ...), here so they fail before a run folder
  // exists.
  nn::check_train_config(c.train.to_train_config(c.seed));
  if (c.eval.hop_frames <= 0) fail("eval.hop_frames: {} must be > 0", c.eval.hop_frames);
  if (c.eval.curve_every < 0 && c.eval.curve_every != kCurveEveryAuto)
    fail("eval.curve_every: {} is negative", c.eval.curve_every);
  const ModelKind* kind = find_model_kind(c.model.kind);
  const bool frame_level = c.features.summary == Summary::none;
  if (kind->frame_level && !frame_level)
    fail(
        "model.kind = \"{}\" trains on frame-level features, but features.summary is not "
        "\"none\": choose features=logmel128",
        c.model.kind);
  if (!kind->frame_level && frame_level)
    fail(
        "model.kind = \"{}\" takes one feature row per clip, but features.summary = \"none\" "
        "(frame-level): choose features=mfcc40_mean or salamon2014, or model=sb_cnn / model=cnn",
        c.model.kind);
  if (kind->frame_level) check_cnn_options(c);
  check(c.augment);
  if (c.augment.versions_per_epoch != 1 && !c.augment.has_variants())
    fail(
        "augment.versions_per_epoch = {}: there are no audio variants to train on (set "
        "augment.pitch_semitones, stretch_rates, drc_presets or noise_files, e.g. augment=sb2017)",
        c.augment.versions_per_epoch);
  if (c.train.optimizer != "adam" && !kind->frame_level)
    fail("train.optimizer = \"{}\": model.kind = \"{}\" trains with Adam only", c.train.optimizer,
         c.model.kind);
  if (c.train.average_epochs != 0 && !kind->frame_level)
    fail(
        "train.average_epochs = {}: model.kind = \"{}\" keeps its last epoch's weights (the CNNs "
        "average)",
        c.train.average_epochs, c.model.kind);
  if (!kind->frame_level && (c.augment.on_the_fly() || c.augment.has_variants()))
    fail(
        "augment: model.kind = \"{}\" trains on feature rows; augmentation is for the CNNs "
        "(choose augment=none)",
        c.model.kind);
  if (frame_level && !c.data.features.empty())
    fail(
        "data.features: frame-level features (features.summary = \"none\") come from audio, not "
        "from a feature table");
  check(c.launcher);
  check(c.data);
  (void)c.resolved_device();
}

}  // namespace

nn::TrainConfig TrainOptions::to_train_config(int replicate_seed) const {
  nn::TrainConfig t;
  t.epochs = epochs;
  t.batch_size = batch_size;
  t.lr = lr;
  t.beta1 = beta1;
  t.beta2 = beta2;
  t.eps = eps;
  t.weight_decay = weight_decay;
  t.standardize = standardize;
  t.shuffle = shuffle;
  t.seed = static_cast<uint64_t>(seed) + static_cast<uint64_t>(replicate_seed);
  t.early_stopping_patience = early_stopping_patience;
  t.validation_fraction = validation_fraction;
  t.optimizer = optimizer;
  t.momentum = momentum;
  t.average_epochs = average_epochs;
  return t;
}

SplitOptions RunConfig::effective_split() const {
  SplitOptions s = split;
  s.seed += static_cast<decltype(s.seed)>(seed);
  return s;
}

int RunConfig::curve_spacing() const {
  if (eval.curve_every != kCurveEveryAuto) return eval.curve_every;
  const ModelKind* kind = find_model_kind(model.kind);
  if (!kind || !kind->frame_level) return 1;
  return std::max(1, (train.epochs + 9) / 10);
}

// The GPU trains the mlp when one is usable (nn/train_backend.h), the CNNs when asked to
// (device=cuda); other families use the CPU.
std::string RunConfig::resolved_device() const {
  if (device == "cpu") return "cpu";
  if (device != "auto" && device != "cuda")
    fail("device: '{}' is not one of auto, cpu, cuda", device);
  std::string why;
  const bool gpu = nn::device_training_usable(why);
  if (device == "cuda" && !gpu) fail("device=cuda: cannot train on the GPU: {}", why);
  // auto keeps what the GPU trainer lacks (validation split, early stopping) on the CPU.
  const bool gpu_recipe = train.validation_fraction == 0 && train.early_stopping_patience == 0;
  if (model.kind == "sb_cnn" || model.kind == "cnn") return device == "cuda" ? "cuda" : "cpu";
  return gpu && model.kind == "mlp" && (device == "cuda" || gpu_recipe) ? "cuda" : "cpu";
}

RunConfig resolve_run_config(const ComposedConfig& composed) {
  RunConfig c;
  if (const toml::node* kind = composed.table.at_path("model.kind").node()) {
    const auto name = kind->value<std::string>();
    const std::string origin = composed.origin_of("model.kind");
    if (!name) fail("{}: model.kind must be a string", origin.empty() ? "config" : origin);
    if (!find_model_kind(*name))
      fail("{}: model.kind '{}' is unknown (known: {})", origin.empty() ? "config" : origin, *name,
           model_kind_names());
    c.model.kind = *name;
  }
  read_launcher_kind(composed, c.launcher);
  Schemas schemas(c);
  apply_schemas(composed, schemas.all());
  finalize(c.features);
  check(c);
  return c;
}

RunConfig load_run_config(const std::vector<Override>& overrides, ComposedConfig* composed) {
  ComposedConfig local = compose(config_search_path(), overrides, run_config_keys);
  RunConfig c = resolve_run_config(local);
  for (const std::filesystem::path& file : local.files) c.config_files.push_back(file.string());
  if (composed) *composed = std::move(local);
  return c;
}

toml::table run_config_table(const RunConfig& config) {
  RunConfig copy = config;
  Schemas schemas(copy);
  toml::table out = schemas.top.to_table();
  for (const OptionSchema* s : schemas.all())
    if (!s->prefix().empty()) out.insert_or_assign(s->prefix(), s->to_table());
  return out;
}

toml::table feature_options_table(const FeatureOptions& options) {
  FeatureOptions copy = options;
  OptionSchema schema("features");
  bind(schema, copy);
  return schema.to_table();
}

FeatureOptions feature_options_from_table(const toml::table& table, const std::string& where) {
  FeatureOptions options;
  OptionSchema schema("features");
  bind(schema, options);
  schema.apply(table, where);
  finalize(options);
  return options;
}

}  // namespace audify
