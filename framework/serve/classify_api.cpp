#include "serve/classify_api.h"

#include <toml++/toml.h>

#include <chrono>
#include <sstream>

#include "audio/decode.h"
#include "serve/api_error.h"
#include "serve/clip_view.h"

namespace audify {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The header says how long the clip is before anything is decoded, so an upload that would
// decode to hours of samples (a few MB of FLAC silence) is refused without allocating for it.
void check_duration(std::span<const std::byte> bytes, const std::string& name,
                    const UploadLimits& limits) {
  AudioInfo info;
  try {
    info = probe_audio_memory(bytes, name);
  } catch (const Error& e) {
    throw ApiError(415, std::string(e.what()) + "; send a WAV, FLAC or OGG file");
  }
  if (info.sample_rate > 0 && info.frames > 0) {
    const double seconds = static_cast<double>(info.frames) / info.sample_rate;
    if (seconds > limits.max_seconds)
      throw ApiError(422, fmt::format("{}: too long: {:.1f} s of audio, the limit is {:g} s", name,
                                      seconds, limits.max_seconds));
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
  const auto start = Clock::now();
  if (bytes.empty())
    throw ApiError(400,
                   "empty upload: the request carries no file bytes (send the audio file as "
                   "the multipart field 'file' or as the raw request body)");
  if (bytes.size() > limits.max_bytes)
    throw ApiError(413, fmt::format("{}: too big: {} bytes, the limit is {} bytes", name,
                                    bytes.size(), limits.max_bytes));
  check_duration(bytes, name, limits);

  Audio audio;
  Classification c;
  Matrix log_mel;
  try {
    const auto decode_start = Clock::now();
    audio = decode_audio_memory(bytes, name);
    const double decode_ms = ms_since(decode_start);
    c = model.classify_audio(audio, name, plots ? &log_mel : nullptr);
    c.decode_ms = decode_ms;
  } catch (const ApiError&) {
    throw;
  } catch (const Error& e) {
    // The header was readable, so what fails now is the content: cut off, no samples, NaN...
    throw ApiError(422, std::string("corrupt audio: ") + e.what());
  }

  const std::vector<std::string>& names = model.class_names();
  nlohmann::json probabilities = nlohmann::json::array();
  for (std::size_t i = 0; i < names.size(); ++i)
    probabilities.push_back({{"id", i}, {"class", names[i]}, {"probability", c.probabilities[i]}});
  nlohmann::json out = {
      {"file", name},
      {"model", model.id()},
      {"predicted", probabilities[static_cast<std::size_t>(c.predicted)]},
      {"probabilities", std::move(probabilities)},
      {"duration_seconds", c.duration_seconds},
      {"sample_rate", audio.sample_rate},
  };
  if (plots) {
    out["waveform"] = waveform_envelope(audio.samples);
    out["mel"] = mel_image(log_mel);
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
          {"features", metadata_toml(model, "audify.features")},
          {"feature_count", model.feature_count()},
          {"config", std::move(config)}};
}

}  // namespace audify
