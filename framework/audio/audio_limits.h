// The limits on one clip that every decode path enforces (extract, classify, serve): checked on the
// file's size and its header before anything is read whole or decoded, so the memory one clip can
// take is bounded by max_bytes (the file) plus max_seconds of mono float samples, whatever the
// input. The CLI sets them with --max-seconds and --max-bytes. Below them, the limits under which
// an answer means nothing (audio/clip_screen.h), shared by classify, serve and monitor.
#pragma once

#include <cstddef>

#include "core/error.h"

namespace audify {

struct AudioLimits {
  double max_seconds = 30.0;          // of the clip, as its header declares and as it decodes
  std::size_t max_bytes = 20u << 20;  // of the audio file itself
  // A model asked about digital silence or a 4 ms blip still names a class, confidently: below
  // this RMS level (dBFS, a full-scale sine = 0 dBFS, as the monitor reads levels) a clip is
  // answered "silent" (--silence-dbfs), and shorter than min_seconds "too short to classify"
  // (--min-seconds; a quarter of a second is about 11 MFCC frames at the default hop).
  double silence_dbfs = -60.0;
  double min_seconds = 0.25;
};

// The sample rates a stream or a feature set may have: the resampy filters tabulate 512
// (kaiser_fast) points per zero crossing, so they downsample by at most 512x, which from the
// highest rate accepted is 750 Hz.
inline constexpr int kMaxSampleRate = 384000;
inline constexpr int kMinSampleRate = kMaxSampleRate / 512;

// Why an audio file was refused, so a caller can answer each differently (the server maps them to
// HTTP statuses); the message names the file.
enum class AudioFault {
  empty,      // nothing to read
  too_big,    // over max_bytes
  not_audio,  // no format libsndfile recognises
  too_long,   // over max_seconds
  corrupt,    // a readable header but bad content: truncated, no samples, NaN...
};

class AudioError : public Error {
 public:
  AudioError(AudioFault fault, const std::string& message) : Error(message), fault_(fault) {}
  AudioFault fault() const { return fault_; }

 private:
  AudioFault fault_;
};

template <typename... Args>
[[noreturn]] void fail_audio(AudioFault fault, fmt::format_string<Args...> format, Args&&... args) {
  throw AudioError(fault, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace audify
