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

}  // namespace audify::cli
