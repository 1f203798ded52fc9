// `audify monitor`: a window slid over an audio stream, each window classified by a trained model
// and measured (dBFS, A-weighted dBFS), with alerts for chosen classes. The stream is read as it
// arrives, so a live source is reported window by window; when it ends (even mid-window) or stalls,
// the monitor returns with the windows seen so far.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audio/a_weighting.h"
#include "serve/audio_stream.h"
#include "serve/trained_model.h"

namespace audify {

struct MonitorOptions {
  double window_seconds = 4.0;  // the model's clips are 4 s (UrbanSound8K slices)
  double hop_seconds = 1.0;     // window starts are this far apart
  std::vector<std::string> alert_classes;
  double alert_threshold = 0.8;          // an alert class at or above this probability alerts
  std::optional<double> calibration_db;  // dB SPL of a 0 dBFS sine: dB(A)FS -> dB(A) SPL
  // A window under the silence floor or shorter than the minimum is reported as such, not
  // classified (audio/clip_screen.h); the byte and duration limits do not apply to streams.
  AudioLimits limits;
};

struct WindowResult {
  double start_seconds = 0, end_seconds = 0;  // from the start of the stream
  Classification classification;
  SoundLevel level;
  std::optional<double> dba_spl;  // level.dbfs_a + calibration, when calibrated
  std::optional<int> alert;       // the most probable alert class at or above the threshold
};

struct MonitorSummary {
  int windows = 0;
  double seconds_read = 0;
  StreamEnd end = StreamEnd::not_yet;
  double unclassified_tail_seconds = 0;  // read after the end of the last classified window
};

// Resolves alert class names against the model's classes; an unknown name is an audify::Error
// listing the valid ones.
std::vector<int> resolve_alert_classes(const std::vector<std::string>& names,
                                       const std::vector<std::string>& classes);

// Reads `stream` to its end, calling `on_window` for each complete window in order. Throws
// audify::Error for invalid options and for stream errors (wrong format, read failure); warns
// (spdlog) when the first window's samples are not plausible audio (implausible_signal).
MonitorSummary run_monitor(AudioStream& stream, const TrainedModel& model,
                           const MonitorOptions& options,
                           const std::function<void(const WindowResult&)>& on_window);

// One window as a text line (no newline) and as one JSON object (one line).
std::string format_window_text(const WindowResult& w, const std::vector<std::string>& classes);
std::string format_window_json(const WindowResult& w, const std::vector<std::string>& classes);

}  // namespace audify
