#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace audify {

Progress::Progress(std::string label, std::size_t total, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_),
      tty_(::isatty(STDERR_FILENO) != 0) {}

Progress::~Progress() {
  finish();
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::tick(std::size_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  const auto now = std::chrono::steady_clock::now();
  // Off a terminal (CI logs, files) a line every few seconds is plenty.
  const auto period = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() || now - last_draw_ < period) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  draw(true);
}

void Progress::draw(bool final_line) {
  const std::size_t done = done_.load(std::memory_order_relaxed);
  const double secs = elapsed_seconds();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
  std::string line =
      fmt::format("{}: {}/{} {}, {:.1f} {}/s", label_, done, total_, unit_, rate, unit_);
  if (final_line) {
    line += fmt::format(", {:.1f} s", secs);
  } else if (rate > 0 && done < total_) {
    line += fmt::format(", ETA {:.0f} s", static_cast<double>(total_ - done) / rate);
  }
  std::fprintf(stderr, tty_ ? "\r\033[K%s%s" : "%s%s", line.c_str(),
               (final_line || !tty_) ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace audify
