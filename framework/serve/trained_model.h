// A trained run's model, ready to classify audio: the model, its class names and the exact feature
// options it was trained with, all read from RUN_DIR/model.safetensors. One object serves
// `audify classify`, `audify serve` and `audify monitor`; classify() may be called from many
// threads at once.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "audio/clip_screen.h"
#include "audio/decode.h"
#include "core/matrix.h"
#include "experiment/model_factory.h"
#include "experiment/run_config.h"
#include "features/feature_options.h"

namespace audify {

struct Classification {
  // Not `classified`: the clip was silent or too short (audio/clip_screen.h), `message` says which
  // and the model was not asked, so `probabilities` is empty and `predicted` -1.
  ClipVerdict verdict = ClipVerdict::classified;
  std::string message;
  std::vector<float> probabilities;  // one per class, in class-id order
  int predicted = 0;                 // argmax (ties to the lowest id)
  double duration_seconds = 0;       // of the clip as decoded
  // Wall time per stage, milliseconds: decode (0 for audio passed in decoded), resample + MFCC +
  // summary, model.
  double decode_ms = 0, features_ms = 0, model_ms = 0;
};

class TrainedModel {
 public:
  // `path`: a run directory or its model.safetensors. Throws audify::Error naming the file when it
  // is missing, not audify's, or inconsistent (class names vs the model's outputs).
  static std::unique_ptr<TrainedModel> load(const std::filesystem::path& path);

  const std::vector<std::string>& class_names() const { return class_names_; }
  const FeatureOptions& features() const { return features_; }
  const std::string& kind() const { return kind_; }  // model.kind, e.g. "mlp"
  const std::string& id() const { return id_; }      // "<run dir name>:<kind>"
  const std::filesystem::path& file() const { return file_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::size_t feature_count() const { return feature_count_; }  // 0 when the file does not say

  // Decodes (any format libsndfile reads) within `limits`, resamples, extracts and classifies, or
  // answers silent / too short by `limits` (screen_clip). `name` names the clip in errors.
  Classification classify_bytes(std::span<const std::byte> file_bytes, const std::string& name,
                                const AudioLimits& limits = {}) const;
  // The same for a file, read with read_audio_file (audio/audio_file.h): header first, bounded.
  Classification classify_file(const std::filesystem::path& path,
                               const AudioLimits& limits = {}) const;
  // Audio already decoded, at any rate (resampled to the model's), screened by `limits` first.
  // [out] log_mel, when given and the clip is classified: the clip's log-mel spectrogram (frames,
  // n_mels) the MFCCs were computed from, for display.
  Classification classify_audio(const Audio& audio, const std::string& name,
                                const AudioLimits& limits, Matrix* log_mel = nullptr) const;
  // One feature row (as in the training table) to probabilities.
  std::vector<float> probabilities(std::span<const float> features, const std::string& name) const;

 private:
  TrainedModel() = default;
  std::unique_ptr<RunModel> model_;
  mutable std::mutex predict_mutex_;  // baselines' libraries do not promise thread-safe predict
  std::vector<std::string> class_names_;
  FeatureOptions features_;
  Matrix dct_;  // (n_mfcc, n_mels), the DCT the extractor would apply, made once
  std::string kind_, id_;
  std::filesystem::path file_;
  std::map<std::string, std::string> metadata_;
  std::size_t feature_count_ = 0;
};

// Indices of the k largest probabilities, largest first (stable for ties).
std::vector<int> top_k(std::span<const float> probabilities, int k);

}  // namespace audify
