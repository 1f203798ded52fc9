// Walks the composed tree, handing each leaf to the schema of its table with the leaf's origin.
#include "config/validate.h"

#include "config/key_suggestions.h"
#include "core/error.h"

namespace audify {
namespace {

const OptionSchema* schema_for(const std::vector<const OptionSchema*>& schemas,
                               const std::string& path) {
  for (const OptionSchema* s : schemas)
    if (s->prefix() == path) return s;
  return nullptr;
}

bool reaches(const std::vector<const OptionSchema*>& schemas, const std::string& path) {
  for (const OptionSchema* s : schemas)
    if (s->prefix() == path || s->prefix().starts_with(path + ".")) return true;
  return false;
}

// The first leaf under `path` (the table itself when empty): the key an "unknown key" error names.
std::string first_leaf(const toml::node& node, const std::string& path) {
  const toml::table* t = node.as_table();
  if (!t || t->empty()) return path;
  const auto [k, child] = *t->begin();  // a proxy pair of references, held by value
  return first_leaf(child, path + "." + std::string(k.str()));
}

void walk(const ComposedConfig& config, const toml::table& table, const std::string& path,
          const std::vector<const OptionSchema*>& schemas) {
  const OptionSchema* own = schema_for(schemas, path);
  for (const auto& [k, node] : table) {
    const std::string key = path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
    if (node.is_table() && reaches(schemas, key)) {
      walk(config, *node.as_table(), key, schemas);
      continue;
    }
    if (!own || (node.is_table() && !own->find(k.str()))) {
      const std::string leaf = first_leaf(node, key);
      const std::string origin = config.origin_of(leaf);
      fail("{}: unknown key '{}'{}", origin.empty() ? "config" : origin, leaf,
           did_you_mean(leaf, schema_keys(schemas)));
    }
    std::string origin = config.origin_of(key);
    if (origin.empty()) origin = "config";
    toml::table one;
    const toml::key& name = k;  // clang 14 cannot capture a structured binding
    node.visit([&](const auto& v) { one.insert(name, v); });
    own->apply(one, origin);
  }
}

}  // namespace

void apply_schemas(const ComposedConfig& config, const std::vector<const OptionSchema*>& schemas) {
  walk(config, config.table, "", schemas);
}

std::vector<std::string> schema_keys(const std::vector<const OptionSchema*>& schemas) {
  std::vector<std::string> keys;
  for (const OptionSchema* s : schemas)
    for (const OptionSchema::Field& f : s->fields())
      keys.push_back(s->prefix().empty() ? f.key : s->prefix() + "." + f.key);
  return keys;
}

}  // namespace audify
