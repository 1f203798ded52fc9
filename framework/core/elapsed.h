// Wall time elapsed since a point of the monotonic clock: what every progress line, timing field
// and benchmark in Audify reports.
#pragma once

#include <chrono>

namespace audify {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

inline double ms_since(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

}  // namespace audify
