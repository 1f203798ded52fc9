// Whether a decoded clip holds something a model can be asked about. A classifier names a class for
// any input, confidently: digital silence came out "dog_bark 0.93" and a 4 ms clip 0.92. So
// classify, serve and monitor screen every clip against one AudioLimits first and answer "silent"
// or "too short to classify" instead of a class; and a stream whose samples do not look like audio
// at all (bytes read in the wrong format) is flagged.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "audio/audio_limits.h"

namespace audify {

enum class ClipVerdict { classified, silent, too_short };

// "classified" | "silent" | "too_short" (the JSON answers' `verdict`).
std::string_view verdict_name(ClipVerdict verdict);

struct ClipScreen {
  ClipVerdict verdict = ClipVerdict::classified;
  double level_dbfs = 0;  // RMS, re a full-scale sine (audio/a_weighting.h level_dbfs)
  // Why it is not classified, naming the figure and the limit: "silent: -150.0 dBFS RMS, below the
  // -60 dBFS floor (--silence-dbfs)"; "" when classified.
  std::string message;
};

// Too short is checked first (a 4 ms clip is too short whatever its level).
ClipScreen screen_clip(std::span<const float> samples, int sample_rate, const AudioLimits& limits);

// Why `samples` cannot be audio in the format they were decoded from, or nullopt: most of them at
// full scale (16-bit data read as 8-bit), or loud and uncorrelated from one sample to the next (as
// float data read as 16-bit integers is), which recorded sound at any usual rate is not.
std::optional<std::string> implausible_signal(std::span<const float> samples);

}  // namespace audify
