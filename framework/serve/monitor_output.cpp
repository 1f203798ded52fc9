// The monitor's two line formats: aligned text for a terminal, JSON lines for programs.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "serve/monitor.h"

namespace audify {
namespace {

// H:MM:SS.s from the start of the stream.
std::string clock_time(double seconds) {
  const double tenths = std::round(seconds * 10.0);
  const auto whole = static_cast<long long>(tenths / 10.0);
  return fmt::format("{}:{:02}:{:02}.{}", whole / 3600, whole / 60 % 60, whole % 60,
                     static_cast<long long>(tenths) % 10);
}

// Levels rounded to 0.01 dB: finer digits are noise and bloat every line.
double round_db(double db) {
  return std::round(db * 100.0) / 100.0;
}

}  // namespace

std::string format_window_text(const WindowResult& w, const std::vector<std::string>& classes) {
  const Classification& c = w.classification;
  // A silent (or too short) window says so where the class and its probability would be.
  const std::string answer =
      c.verdict == ClipVerdict::classified
          ? fmt::format("{:<16} {:.2f}", classes[static_cast<std::size_t>(c.predicted)],
                        c.probabilities[static_cast<std::size_t>(c.predicted)])
          : fmt::format("{:<21}", c.verdict == ClipVerdict::silent ? "(silent)" : "(too short)");
  std::string line = fmt::format("{:>10}  {}  {:7.1f} dBFS  {:7.1f} dB(A)FS",
                                 clock_time(w.start_seconds), answer, w.level.dbfs, w.level.dbfs_a);
  if (w.dba_spl) line += fmt::format("  {:5.1f} dB(A) SPL", *w.dba_spl);
  if (w.alert)
    line += fmt::format("  ALERT {} {:.2f}", classes[static_cast<std::size_t>(*w.alert)],
                        c.probabilities[static_cast<std::size_t>(*w.alert)]);
  return line;
}

std::string format_window_json(const WindowResult& w, const std::vector<std::string>& classes) {
  const Classification& c = w.classification;
  const bool classified = c.verdict == ClipVerdict::classified;
  const auto predicted = static_cast<std::size_t>(std::max(c.predicted, 0));
  nlohmann::json j = {
      {"start", w.start_seconds},
      {"end", w.end_seconds},
      {"verdict", std::string(verdict_name(c.verdict))},
      {"class", classified ? nlohmann::json(classes[predicted]) : nlohmann::json()},
      {"confidence", classified ? nlohmann::json(std::round(c.probabilities[predicted] * 1e4) / 1e4)
                                : nlohmann::json()},
      {"dbfs", round_db(w.level.dbfs)},
      {"dbfs_a", round_db(w.level.dbfs_a)},
      {"alert", w.alert.has_value()},
  };
  if (w.dba_spl) j["dba_spl"] = round_db(*w.dba_spl);
  if (w.alert) j["alert_class"] = classes[static_cast<std::size_t>(*w.alert)];
  return j.dump();
}

}  // namespace audify
