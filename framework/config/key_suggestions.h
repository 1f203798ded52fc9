// "Did you mean ...?" for a misspelt config key: the known keys nearest to it, so that
// `train.epoch=5` points at train.epochs instead of only failing.
#pragma once

#include <string>
#include <vector>

namespace audify {

// The known dotted keys nearest to `key` (at most three, all equally near): the same key in another
// table (`model.epochs` -> train.epochs), then keys within a few edits (`train.epoch`,
// `trian.epochs`). Empty when none is close.
std::vector<std::string> nearest_keys(const std::string& key,
                                      const std::vector<std::string>& known);

// " (did you mean train.epochs?)", or "" when nothing is close.
std::string did_you_mean(const std::string& key, const std::vector<std::string>& known);

}  // namespace audify
