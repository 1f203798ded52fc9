#include "serve/monitor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "audio/clip_screen.h"
#include "core/error.h"

namespace audify {
namespace {

std::size_t seconds_to_samples(double seconds, int sample_rate) {
  return static_cast<std::size_t>(std::llround(seconds * sample_rate));
}

void validate(const MonitorOptions& options) {
  // 0.1 s leaves a few MFCC frames; an hour is not a window.
  if (!(options.window_seconds >= 0.1 && options.window_seconds <= 3600))
    fail("monitor: --window {} s is out of range (0.1 to 3600 s)", options.window_seconds);
  if (!(options.hop_seconds >= 0.01 && options.hop_seconds <= 3600))
    fail("monitor: --hop {} s is out of range (0.01 to 3600 s)", options.hop_seconds);
  if (!(options.alert_threshold >= 0 && options.alert_threshold <= 1))
    fail("monitor: --threshold {} is not a probability in [0, 1]", options.alert_threshold);
  if (options.calibration_db && !std::isfinite(*options.calibration_db))
    fail("monitor: --calibration must be a finite number of dB");
}

std::optional<int> strongest_alert(const std::vector<float>& probabilities,
                                   const std::vector<int>& alert_ids, double threshold) {
  std::optional<int> best;
  if (probabilities.empty()) return best;  // silent or too short: nothing to alert on
  for (const int id : alert_ids)
    if (probabilities[static_cast<std::size_t>(id)] >= threshold &&
        (!best || probabilities[static_cast<std::size_t>(id)] >
                      probabilities[static_cast<std::size_t>(*best)]))
      best = id;
  return best;
}

}  // namespace

std::vector<int> resolve_alert_classes(const std::vector<std::string>& names,
                                       const std::vector<std::string>& classes) {
  std::vector<int> ids;
  for (const std::string& name : names) {
    const auto it = std::find(classes.begin(), classes.end(), name);
    if (it == classes.end())
      fail("--alert: unknown class '{}' (the model's classes: {})", name, fmt::join(classes, ", "));
    ids.push_back(static_cast<int>(it - classes.begin()));
  }
  return ids;
}

MonitorSummary run_monitor(AudioStream& stream, const TrainedModel& model,
                           const MonitorOptions& options,
                           const std::function<void(const WindowResult&)>& on_window) {
  validate(options);
  const std::vector<int> alert_ids =
      resolve_alert_classes(options.alert_classes, model.class_names());
  const int rate = stream.sample_rate();
  const std::size_t window = seconds_to_samples(options.window_seconds, rate);
  const std::size_t hop = std::max<std::size_t>(1, seconds_to_samples(options.hop_seconds, rate));
  const LevelMeter meter(rate, window);

  // buffer holds the stream's samples from absolute index buffer_start on; the next window
  // starts at next_start (>= buffer_start; beyond the buffer when the hop exceeds the window).
  Audio buffer;
  buffer.sample_rate = rate;
  std::size_t buffer_start = 0, next_start = 0, total = 0;
  MonitorSummary summary;
  for (;;) {
    const std::size_t have = buffer_start + buffer.samples.size();
    if (have < next_start + window) {
      const std::size_t got = stream.read(next_start + window - have, buffer.samples);
      total += got;
      if (stream.end() != StreamEnd::not_yet &&
          buffer_start + buffer.samples.size() < next_start + window)
        break;
      continue;
    }
    const std::size_t offset = next_start - buffer_start;
    Audio clip;
    clip.sample_rate = rate;
    clip.samples.assign(buffer.samples.begin() + static_cast<std::ptrdiff_t>(offset),
                        buffer.samples.begin() + static_cast<std::ptrdiff_t>(offset + window));
    WindowResult result;
    result.start_seconds = static_cast<double>(next_start) / rate;
    result.end_seconds = static_cast<double>(next_start + window) / rate;
    result.classification = model.classify_audio(
        clip, fmt::format("window at {:.2f} s", result.start_seconds), options.limits);
    result.level = meter.measure(clip.samples);
    if (summary.windows == 0)
      if (const auto why = implausible_signal(clip.samples))
        spdlog::warn("{}: {}", stream.describe(), *why);
    if (options.calibration_db) result.dba_spl = result.level.dbfs_a + *options.calibration_db;
    result.alert =
        strongest_alert(result.classification.probabilities, alert_ids, options.alert_threshold);
    on_window(result);
    ++summary.windows;

    next_start += hop;
    const std::size_t drop = std::min(next_start - buffer_start, buffer.samples.size());
    buffer.samples.erase(buffer.samples.begin(),
                         buffer.samples.begin() + static_cast<std::ptrdiff_t>(drop));
    buffer_start += drop;
  }
  summary.end = stream.end();
  summary.seconds_read = static_cast<double>(total) / rate;
  const std::size_t classified_end = summary.windows > 0 ? next_start - hop + window : 0;
  summary.unclassified_tail_seconds =
      total > classified_end ? static_cast<double>(total - classified_end) / rate : 0.0;
  return summary;
}

}  // namespace audify
