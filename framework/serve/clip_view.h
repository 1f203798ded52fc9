// What the web page draws of a clip: its waveform as a min/max envelope and its log-mel
// spectrogram as an 8-bit image, both small enough to travel in the classify JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <span>

#include "core/matrix.h"

namespace audify {

// {"columns": n, "min": [...], "max": [...]}: per column the extremes of the samples it covers,
// as integers in [-127, 127] (full scale 127). Fewer columns than requested for short clips.
nlohmann::json waveform_envelope(std::span<const float> samples, int columns = 480);

// {"frames": f, "bands": b, "db_max": x, "db_range": r, "pixels": base64}: `log_mel` (frames,
// bands) in dB, averaged down to at most `max_frames` frames, mapped linearly from
// [db_max - db_range, db_max] to 0..255, frame-major (pixel (t, band) at t * bands + band).
nlohmann::json mel_image(const Matrix& log_mel, int max_frames = 240, double db_range = 80.0);

// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::span<const unsigned char> bytes);

}  // namespace audify
