// Where each key of a composed config came from: the file (configs/model/mlp.toml) or the override
// (override 'train.lr=3e-4') that set it last, so validation errors can point at the right place.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>

namespace audify {

class Provenance {
 public:
  // Records `origin` for `dotted_key` and every key beneath `node` (tables are descended, arrays
  // are leaves), forgetting what was recorded beneath the key before.
  void record(const std::string& dotted_key, const toml::node& node, const std::string& origin);
  // Forgets `dotted_key` and every key beneath it.
  void erase(const std::string& dotted_key);
  // The origin of the key, else of its nearest recorded parent table; "" when none.
  std::string origin_of(const std::string& dotted_key) const;
  const std::map<std::string, std::string>& entries() const { return origins_; }

 private:
  std::map<std::string, std::string> origins_;
};

}  // namespace audify
