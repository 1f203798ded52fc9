// The JSON API's answers, independent of the HTTP transport: classify an uploaded file's bytes
// within the server's limits, and describe the loaded model. http_server.cpp serves them;
// `audify bench serve` times classify_upload() on its own.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "audio/audio_limits.h"
#include "serve/trained_model.h"

namespace audify {

// The same limits as every other decode path (audio/audio_limits.h).
using UploadLimits = AudioLimits;

// {"file", "model", "verdict": "classified", "predicted": {"id", "class", "probability"},
// "probabilities": [{"id", "class", "probability"}...] (class-id order), "duration_seconds",
// "sample_rate", "timings_ms": {"decode", "features", "model", "total"}} plus, when `plots`,
// "waveform" (clip_view.h waveform_envelope) and "mel" (mel_image, with the bands' "fmin_hz" and
// "fmax_hz"). A clip under `limits`' floor
// or minimum length is answered (200) with "verdict": "silent" | "too_short", a "message" naming
// the limit, "predicted": null, no probabilities and no mel. Throws ApiError: 400 empty, 413 too
// many bytes, 415 not audio, 422 too long / corrupt / truncated.
nlohmann::json classify_upload(const TrainedModel& model, std::span<const std::byte> bytes,
                               const std::string& name, const UploadLimits& limits,
                               bool plots = true);

// {"model", "kind", "file", "classes": [...], "formats": [the audio formats decoded here],
// "features": {feature options}, "feature_count",
// "config": {"model", "train", "split", "trained_on"}}: what GET /api/model answers.
nlohmann::json model_summary(const TrainedModel& model);

}  // namespace audify
