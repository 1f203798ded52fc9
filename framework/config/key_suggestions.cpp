#include "config/key_suggestions.h"

#include <algorithm>
#include <utility>

#include "core/text_list.h"

namespace audify {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of adjacent
// letters (the commonest typo) each cost one.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string leaf_of(const std::string& key) {
  const std::size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

}  // namespace

std::vector<std::string> nearest_keys(const std::string& key,
                                      const std::vector<std::string>& known) {
  // A third of the key's length, at least 1 and at most 3 edits: `lr` suggests nothing far away.
  const std::size_t limit = std::clamp<std::size_t>(key.size() / 3, 1, 3);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const std::string& k : known) {
    if (k == key) continue;
    if (leaf_of(k) == leaf_of(key)) {
      scored.emplace_back(0, k);
      continue;
    }
    const std::size_t d = edit_distance(key, k);
    if (d <= limit) scored.emplace_back(d, k);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;  // the nearest only: train.epoch names train.epochs, not train.eps
  for (const auto& [distance, k] : scored)
    if (out.size() < 3 && distance == scored.front().first) out.push_back(k);
  return out;
}

std::string did_you_mean(const std::string& key, const std::vector<std::string>& known) {
  const std::vector<std::string> near = nearest_keys(key, known);
  if (near.empty()) return "";
  return " (did you mean " + join_alternatives(near) + "?)";
}

}  // namespace audify
