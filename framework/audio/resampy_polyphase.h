// Fast path for resampy's kaiser resampling when sr_out / sr_in reduces to p / q with few phases:
// every output's filter position then repeats with period p, so each phase's merged left+right
// tap weights are tabulated once and an output becomes one contiguous dot product.
#pragma once

#include <span>

#include "audio/resampy_filter.h"

namespace audify::detail {

// Phases beyond this are not tabulated (the table would outgrow the cache it is meant to live in).
inline constexpr long kMaxPolyphasePhases = 2048;

// Writes resampy.resample(x, sr_in, sr_out, filter=f)'s samples into `y` (whose size is resampy's
// output length, at least 1) and returns true; returns false, touching nothing, when the ratio
// has more than kMaxPolyphasePhases phases. Rates must be positive and different. Outputs whose
// floating-point filter position strays from the tabulated one (resampy's time register rounds)
// are computed tap by tap exactly as resampy does, so the result never depends on the tables.
bool resampy_polyphase(std::span<const float> x, int sr_in, int sr_out, const ResampyFilter& f,
                       std::span<float> y);

}  // namespace audify::detail
