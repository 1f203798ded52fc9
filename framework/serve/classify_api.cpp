#include "serve/classify_api.h"

#include <toml++/toml.h>

#include <chrono>
#include <sstream>

#include "audio/audio_formats.h"
#include "audio/decode.h"
#include "core/elapsed.h"
#include "serve/api_error.h"
#include "serve/clip_view.h"

namespace audify {
namespace {

// The HTTP status for each reason decode refuses a file.
int status_of(AudioFault fault) {
  switch (fault) {
    case AudioFault::empty:
      return 400;
    case AudioFault::too_big:
      return 413;
    case AudioFault::not_audio:
      return 415;
    case AudioFault::too_long:
    case AudioFault::corrupt:
      break;
  }
  return 422;
}

// The decoder checks the size and then the header (so an upload that would decode to hours of
// samples, a few MB of FLAC silence, is refused before anything is allocated for it), and only
// then decodes.
Audio decode_upload(std::span<const std::byte> bytes, const std::string& name,
                    const UploadLimits& limits) {
  try {
    return decode_audio_memory(bytes, name, limits);
  } catch (const AudioError& e) {
    std::string message = e.what();
    if (e.fault() == AudioFault::not_audio)
      message += "; send a " + readable_audio_formats_text() + " file";
    if (e.fault() == AudioFault::corrupt) message = "corrupt audio: " + message;
    throw ApiError(status_of(e.fault()), message);
  }
}

nlohmann::json toml_to_json(const toml::table& table) {
  std::ostringstream out;
  out << toml::json_formatter{table};
  return nlohmann::json::parse(out.str());
}

// A metadata entry holding TOML, as JSON; null when absent or unreadable (older model files).
nlohmann::json metadata_toml(const TrainedModel& model, const std::string& key) {
  const auto it = model.metadata().find(key);
  if (it == model.metadata().end()) return nullptr;
  try {
    return toml_to_json(toml::parse(it->second));
  } catch (const toml::parse_error&) {
    return nullptr;
  }
}

}  // namespace

nlohmann::json classify_upload(const TrainedModel& model, std::span<const std::byte> bytes,
                               const std::string& name, const UploadLimits& limits, bool plots) {
  const auto start = SteadyClock::now();
  if (bytes.empty())
    throw ApiError(400,
                   "empty upload: the request carries no file bytes (send the audio file as "
                   "the multipart field 'file' or as the raw request body)");
  const auto decode_start = SteadyClock::now();
  const Audio audio = decode_upload(bytes, name, limits);
  const double decode_ms = ms_since(decode_start);
  Classification c;
  Matrix log_mel;
  try {
    c = model.classify_audio(audio, name, limits, plots ? &log_mel : nullptr);
    c.decode_ms = decode_ms;
  } catch (const Error& e) {
    // Decoded, but unusable for the features (too short to resample, say).
    throw ApiError(422, std::string("unusable audio: ") + e.what());
  }

  const bool classified = c.verdict == ClipVerdict::classified;
  const std::vector<std::string>& names = model.class_names();
  nlohmann::json probabilities = nlohmann::json::array();
  for (std::size_t i = 0; classified && i < names.size(); ++i)
    probabilities.push_back({{"id", i}, {"class", names[i]}, {"probability", c.probabilities[i]}});
  nlohmann::json out = {
      {"file", name},
      {"model", model.id()},
      {"verdict", std::string(verdict_name(c.verdict))},
      {"predicted",
       classified ? probabilities[static_cast<std::size_t>(c.predicted)] : nlohmann::json()},
      {"probabilities", std::move(probabilities)},
      {"duration_seconds", c.duration_seconds},
      {"sample_rate", audio.sample_rate},
  };
  if (!classified) out["message"] = c.message;
  if (plots) {
    out["waveform"] = waveform_envelope(audio.samples);
    out["mel"] = nullptr;
    if (classified) {
      out["mel"] = mel_image(log_mel);
      out["mel"]["fmin_hz"] = model.features().mfcc.fmin;  // the bands' range, for the page's axis
      out["mel"]["fmax_hz"] = model.features().mfcc.fmax_hz();
    }
  }
  out["timings_ms"] = {{"decode", c.decode_ms},
                       {"features", c.features_ms},
                       {"model", c.model_ms},
                       {"total", ms_since(start)}};
  return out;
}

nlohmann::json model_summary(const TrainedModel& model) {
  nlohmann::json config = nlohmann::json::object();
  const nlohmann::json full = metadata_toml(model, "audify.config");
  for (const char* key : {"model", "train", "split"})
    if (full.is_object() && full.contains(key)) config[key] = full[key];
  if (const auto it = model.metadata().find("audify.trained_on"); it != model.metadata().end())
    config["trained_on"] = it->second;
  return {{"model", model.id()},
          {"kind", model.kind()},
          {"file", model.file().filename().string()},
          {"classes", model.class_names()},
          {"formats", readable_audio_formats()},
          {"features", metadata_toml(model, "audify.features")},
          {"feature_count", model.feature_count()},
          {"config", std::move(config)}};
}

}  // namespace audify
