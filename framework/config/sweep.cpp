// Cartesian product of sweeps with an odometer over value indices (last override fastest).
#include "config/sweep.h"

#include "core/error.h"

namespace audify {

std::size_t sweep_size(const std::vector<Override>& overrides) {
  std::size_t n = 1;
  for (const Override& o : overrides)
    if (o.sweep) n *= o.values.size();
  return n;
}

std::vector<SweepPoint> expand_sweeps(const std::vector<Override>& overrides) {
  constexpr std::size_t kMaxPoints = 1'000'000;  // beyond this a typo is likelier than intent
  const std::size_t total = sweep_size(overrides);
  if (total > kMaxPoints)
    fail("multirun: {} combinations is too many (limit {})", total, kMaxPoints);
  std::vector<std::size_t> index(overrides.size(), 0);
  std::vector<SweepPoint> points;
  points.reserve(total);
  for (std::size_t p = 0; p < total; ++p) {
    SweepPoint point;
    point.reserve(overrides.size());
    for (std::size_t i = 0; i < overrides.size(); ++i)
      point.push_back(overrides[i].sweep ? sweep_element(overrides[i], index[i]) : overrides[i]);
    points.push_back(std::move(point));
    for (std::size_t i = overrides.size(); i-- > 0;) {
      if (!overrides[i].sweep) continue;
      if (++index[i] < overrides[i].values.size()) break;
      index[i] = 0;
    }
  }
  return points;
}

}  // namespace audify
