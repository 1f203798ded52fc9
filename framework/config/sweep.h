// Multirun expansion (Hydra's BasicSweeper): the Cartesian product of the sweep overrides, the
// first override varying slowest, so `a=1,2 b=x,y` runs a=1 b=x, a=1 b=y, a=2 b=x, a=2 b=y.
#pragma once

#include <vector>

#include "config/override_parser.h"

namespace audify {

// One run of a multirun: plain overrides only, in command-line order.
using SweepPoint = std::vector<Override>;

// Every combination; a command line without sweeps gives exactly one point.
std::vector<SweepPoint> expand_sweeps(const std::vector<Override>& overrides);

// Number of points expand_sweeps would return, without building them.
std::size_t sweep_size(const std::vector<Override>& overrides);

}  // namespace audify
