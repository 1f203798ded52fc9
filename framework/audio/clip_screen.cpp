#include "audio/clip_screen.h"

#include <fmt/format.h>

#include <cmath>

#include "audio/a_weighting.h"

namespace audify {
namespace {

// Thresholds of implausible_signal. Sound recorded at 8 kHz or more is low-pass enough that
// neighbouring samples correlate (UrbanSound8K's clips: well above 0.3); white noise loud enough to
// sit above -12 dB RMS re full scale for a whole window is not something a microphone records.
constexpr double kFullScale = 0.9;             // |x| at or above: "full scale"
constexpr double kMostlyFullScale = 0.2;       // fraction of samples
constexpr double kLoudRms = 0.25;              // linear RMS (-12 dB re full scale)
constexpr double kUncorrelated = 0.3;          // |lag-1 autocorrelation| below this
constexpr std::size_t kMinimumSamples = 1024;  // fewer: no judgement

}  // namespace

std::string_view verdict_name(ClipVerdict verdict) {
  switch (verdict) {
    case ClipVerdict::silent:
      return "silent";
    case ClipVerdict::too_short:
      return "too_short";
    case ClipVerdict::classified:
      break;
  }
  return "classified";
}

ClipScreen screen_clip(std::span<const float> samples, int sample_rate, const AudioLimits& limits) {
  ClipScreen s;
  s.level_dbfs = level_dbfs(samples);
  const double seconds = sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0;
  if (seconds < limits.min_seconds) {
    s.verdict = ClipVerdict::too_short;
    s.message =
        fmt::format("too short to classify: {:.3f} s, under the {} s minimum (--min-seconds)",
                    seconds, limits.min_seconds);
  } else if (s.level_dbfs < limits.silence_dbfs) {
    s.verdict = ClipVerdict::silent;
    s.message = fmt::format("silent: {:.1f} dBFS RMS, below the {} dBFS floor (--silence-dbfs)",
                            s.level_dbfs, limits.silence_dbfs);
  }
  return s;
}

std::optional<std::string> implausible_signal(std::span<const float> samples) {
  if (samples.size() < kMinimumSamples) return std::nullopt;
  const double n = static_cast<double>(samples.size());
  double sum = 0, full = 0;
  for (const float x : samples) {
    sum += x;
    if (std::abs(x) >= kFullScale) ++full;
  }
  if (full / n > kMostlyFullScale)
    return fmt::format(
        "{:.0f}% of the samples are at full scale (|x| >= {}): not plausible audio; is the "
        "declared sample format right?",
        100.0 * full / n, kFullScale);
  const double mean = sum / n;
  double power = 0, lag1 = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double x = samples[i] - mean;
    power += x * x;
    if (i > 0) lag1 += x * (samples[i - 1] - mean);
  }
  const double rms = std::sqrt(power / n);
  const double correlation = power > 0 ? lag1 / power : 1.0;
  if (rms > kLoudRms && std::abs(correlation) < kUncorrelated)
    return fmt::format(
        "the samples are loud ({:.1f} dB RMS re full scale) and uncorrelated from one to the next "
        "(lag-1 correlation {:.2f}), like bytes read in the wrong sample format: is the declared "
        "format right?",
        20.0 * std::log10(rms), correlation);
  return std::nullopt;
}

}  // namespace audify
