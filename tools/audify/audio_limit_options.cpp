#include "audio_limit_options.h"

#include <fmt/format.h>

namespace audify::cli {

void add_audio_limit_options(CLI::App& cmd, AudioLimits& limits, const std::string& bytes_refused,
                             const std::string& seconds_refused) {
  cmd.add_option("--max-bytes", limits.max_bytes,
                 fmt::format("largest audio file, bytes (larger: {})", bytes_refused))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32))
      ->capture_default_str();
  cmd.add_option(
         "--max-seconds", limits.max_seconds,
         fmt::format("longest clip, seconds, from its header (longer: {})", seconds_refused))
      ->check(CLI::Range(0.01, 86400.0))
      ->capture_default_str();
}

void add_answer_limit_options(CLI::App& cmd, AudioLimits& limits) {
  cmd.add_option(
         "--silence-dbfs", limits.silence_dbfs,
         "RMS level (dBFS, a full-scale sine = 0) below which a clip is answered \"silent\" "
         "instead of a class")
      ->check(CLI::Range(-200.0, 0.0))
      ->capture_default_str();
  cmd.add_option("--min-seconds", limits.min_seconds,
                 "shortest clip classified; a shorter one is answered \"too short to classify\"")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
}

}  // namespace audify::cli
