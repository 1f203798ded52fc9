// A progress line on stderr for long work: done/total, rate, ETA. Thread-safe; redraws at most a
// few times a second so it costs nothing in hot loops. Results never go to stderr.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace audify {

class Progress {
 public:
  Progress(std::string label, std::size_t total, std::string unit = "clips");
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void tick(std::size_t n = 1);  // n more items done
  void finish();                 // prints the final line (idempotent)
  double elapsed_seconds() const;

 private:
  void draw(bool final_line);

  std::string label_, unit_;
  std::size_t total_;
  std::atomic<std::size_t> done_{0};
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
  bool finished_ = false;
  bool tty_;
};

}  // namespace audify
