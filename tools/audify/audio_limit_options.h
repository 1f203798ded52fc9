// --max-seconds and --max-bytes: the one way every command that decodes clips (extract, classify,
// serve) sets its AudioLimits, with the same names, defaults and ranges; likewise the limits under
// which a clip is not classified.
#pragma once

#include <CLI/CLI.hpp>

#include "audio/audio_limits.h"

namespace audify::cli {

// `refused` says what happens to a file over a limit, e.g. "413" or "the file fails".
void add_audio_limit_options(CLI::App& cmd, AudioLimits& limits, const std::string& bytes_refused,
                             const std::string& seconds_refused);

// --silence-dbfs and --min-seconds: when classify, serve and monitor answer "silent" or "too short
// to classify" instead of a class (audio/clip_screen.h).
void add_answer_limit_options(CLI::App& cmd, AudioLimits& limits);

}  // namespace audify::cli
