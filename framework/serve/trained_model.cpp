#include "serve/trained_model.h"

#include <toml++/toml.h>
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <numeric>

#include "audio/audio_file.h"
#include "audio/load.h"
#include "core/elapsed.h"
#include "core/error.h"
#include "features/dct.h"
#include "features/extractor.h"
#include "features/frame_store.h"
#include "features/mfcc_cpu.h"

namespace audify {
namespace {

const std::string& metadata_at(const std::map<std::string, std::string>& m, const std::string& key,
                               const std::filesystem::path& path) {
  const auto it = m.find(key);
  if (it == m.end())
    fail("{}: metadata has no '{}' (not saved by audify run?)", path.string(), key);
  return it->second;
}

}  // namespace

std::unique_ptr<TrainedModel> TrainedModel::load(const std::filesystem::path& path) {
  std::filesystem::path file = path;
  if (std::filesystem::is_directory(file)) file /= "model.safetensors";
  if (!std::filesystem::exists(file)) fail("{}: no such model file", file.string());

  std::unique_ptr<TrainedModel> m(new TrainedModel());
  LoadedModel loaded = load_model(file);
  m->model_ = std::move(loaded.model);
  m->metadata_ = std::move(loaded.metadata);
  m->file_ = file;

  toml::table features_table;
  try {
    features_table = toml::parse(metadata_at(m->metadata_, "audify.features", file));
  } catch (const toml::parse_error& e) {
    fail("{}: metadata audify.features is not TOML: {}", file.string(), e.description());
  }
  m->features_ = feature_options_from_table(features_table, file.string() + " (audify.features)");
  m->dct_ = make_dct_ortho(m->features_.mfcc.n_mfcc, m->features_.mfcc.n_mels);
  try {
    m->class_names_ = nlohmann::json::parse(metadata_at(m->metadata_, "audify.classes", file))
                          .get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    fail("{}: metadata audify.classes is malformed: {}", file.string(), e.what());
  }
  if (static_cast<int>(m->class_names_.size()) != m->model_->classes())
    fail("{}: {} class names for a {}-class model", file.string(), m->class_names_.size(),
         m->model_->classes());
  if (const auto it = m->metadata_.find("audify.feature_columns"); it != m->metadata_.end()) {
    const auto columns = nlohmann::json::parse(it->second, nullptr, false);
    if (columns.is_array()) m->feature_count_ = columns.size();
  }
  const auto kind = m->metadata_.find("audify.model_kind");
  m->kind_ = kind != m->metadata_.end() ? kind->second : "mlp";
  m->id_ = std::filesystem::absolute(file).parent_path().filename().string() + ":" + m->kind_;
  return m;
}

std::vector<float> TrainedModel::probabilities(std::span<const float> features,
                                               const std::string& name) const {
  if (feature_count_ != 0 && features.size() != feature_count_)
    fail(
        "{}: {} features extracted, but the model was trained on {} (a feature table made with "
        "other options?)",
        name, features.size(), feature_count_);
  require_finite_features(features, features_, name);
  if (features_.summary == Summary::none)
    fail("{}: this model ({}) classifies frame-level features, not a feature row", name, kind_);
  Matrix x(1, features.size());
  std::copy(features.begin(), features.end(), x.data.begin());
  const Examples examples = Examples::of_rows(std::move(x));
  Matrix p;
  {
    const std::lock_guard lock(predict_mutex_);
    p = model_->predict_proba(examples);
  }
  return std::vector<float>(p.data.begin(), p.data.begin() + static_cast<long>(p.cols));
}

Classification TrainedModel::classify_audio(const Audio& audio, const std::string& name,
                                            const AudioLimits& limits, Matrix* log_mel) const {
  Classification out;
  out.duration_seconds = audio.duration_seconds();
  if (const ClipScreen screen = screen_clip(audio.samples, audio.sample_rate, limits);
      screen.verdict != ClipVerdict::classified) {
    out.verdict = screen.verdict;
    out.message = screen.message;
    out.predicted = -1;
    return out;
  }
  auto start = SteadyClock::now();
  const Audio conformed = conform_audio(audio, features_.load, name);
  auto extractor = make_cpu_extractor(features_.mfcc);
  // The extractor's mfcc() is apply_dct(log_mel()); split here so a caller that also wants the
  // spectrogram does not pay for a second STFT.
  const Matrix mel = extractor->log_mel(conformed.samples);
  const Matrix mfcc = cpu_mfcc::apply_dct(mel, dct_);
  if (log_mel) *log_mel = mel;
  if (features_.summary == Summary::none) {
    // A CNN: the clip's frames, windowed by the model as in training's evaluation.
    FrameStore frames(static_cast<int>(features_.frames == Frames::log_mel ? mel.cols : mfcc.cols));
    frames.append(features_.frames == Frames::log_mel ? mel : mfcc);
    require_finite_features(frames.clip(0), features_, name);
    out.features_ms = ms_since(start);
    start = SteadyClock::now();
    const Examples examples = Examples::of_frames(frames, {0});
    Matrix p;
    {
      const std::lock_guard lock(predict_mutex_);
      p = model_->predict_proba(examples);
    }
    out.probabilities.assign(p.data.begin(), p.data.begin() + static_cast<long>(p.cols));
  } else {
    const std::vector<float> row = summarize(mfcc, features_);
    out.features_ms = ms_since(start);
    start = SteadyClock::now();
    out.probabilities = probabilities(row, name);
  }
  out.model_ms = ms_since(start);
  out.predicted = top_k(out.probabilities, 1).front();
  return out;
}

Classification TrainedModel::classify_bytes(std::span<const std::byte> file_bytes,
                                            const std::string& name,
                                            const AudioLimits& limits) const {
  const auto start = SteadyClock::now();
  const Audio audio = decode_audio_memory(file_bytes, name, limits);
  const double decode_ms = ms_since(start);
  Classification out = classify_audio(audio, name, limits);
  out.decode_ms = decode_ms;
  return out;
}

Classification TrainedModel::classify_file(const std::filesystem::path& path,
                                           const AudioLimits& limits) const {
  const std::string bytes = read_audio_file(path, limits);
  return classify_bytes(std::as_bytes(std::span(bytes.data(), bytes.size())), path.string(),
                        limits);
}

std::vector<int> top_k(std::span<const float> probabilities, int k) {
  std::vector<int> order(probabilities.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return probabilities[a] > probabilities[b]; });
  order.resize(std::clamp<std::size_t>(static_cast<std::size_t>(std::max(k, 0)), 0, order.size()));
  return order;
}

}  // namespace audify
