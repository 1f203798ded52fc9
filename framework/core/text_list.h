// Lists in messages: "a, b or c".
#pragma once

#include <string>
#include <vector>

namespace audify {

inline std::string join_alternatives(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  return out;
}

}  // namespace audify
