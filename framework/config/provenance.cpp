// Provenance as a flat map from dotted key to origin; children of `k` are the keys `k.<...>`.
#include "config/provenance.h"

namespace audify {

void Provenance::record(const std::string& dotted_key, const toml::node& node,
                        const std::string& origin) {
  erase(dotted_key);
  origins_[dotted_key] = origin;
  if (const toml::table* t = node.as_table())
    for (const auto& [key, child] : *t)
      record(dotted_key + "." + std::string(key.str()), child, origin);
}

void Provenance::erase(const std::string& dotted_key) {
  origins_.erase(dotted_key);
  const std::string prefix = dotted_key + ".";
  auto it = origins_.lower_bound(prefix);
  while (it != origins_.end() && it->first.starts_with(prefix)) it = origins_.erase(it);
}

std::string Provenance::origin_of(const std::string& dotted_key) const {
  std::string key = dotted_key;
  while (true) {
    if (auto it = origins_.find(key); it != origins_.end()) return it->second;
    const std::size_t dot = key.rfind('.');
    if (dot == std::string::npos) return "";
    key.resize(dot);
  }
}

}  // namespace audify
