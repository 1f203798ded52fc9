// Parsing the TOML spelling of Hydra's defaults list (see defaults_list.h).
#include "config/defaults_list.h"

#include <cctype>

#include "core/error.h"

namespace audify {
namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

bool valid_group(const std::string& g) {
  if (g.empty() || g.front() == '/' || g.back() == '/' || g.find("..") != std::string::npos ||
      g.find("//") != std::string::npos)
    return false;
  for (char c : g)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '/'))
      return false;
  return true;
}

DefaultsItem read_item(const toml::node& node, const std::string& where, std::size_t index) {
  DefaultsItem item;
  if (auto s = node.value_exact<std::string>()) {
    if (*s != "_self_")
      fail("{}: defaults[{}]: '{}' is not \"_self_\" or {{ group = \"option\" }}", where, index,
           *s);
    item.self = true;
    return item;
  }
  const toml::table* t = node.as_table();
  if (!t || t->size() != 1)
    fail("{}: defaults[{}]: expected \"_self_\" or a one-key table {{ group = \"option\" }}", where,
         index);
  const auto [key, value] = *t->begin();  // a proxy pair of references, held by value
  std::string group = trimmed(key.str());
  if (group.starts_with("override ")) {
    item.override_ = true;
    group = trimmed(std::string_view(group).substr(9));
  }
  if (group.starts_with("/")) group.erase(0, 1);  // groups are absolute: there is one config root
  auto option = value.value_exact<std::string>();
  if (!valid_group(group)) fail("{}: defaults[{}]: bad group name '{}'", where, index, key.str());
  if (!option || option->empty() || option->find('/') != std::string::npos)
    fail("{}: defaults[{}]: the option of group '{}' must be a config name string", where, index,
         group);
  item.group = group;
  item.option = *option;
  return item;
}

}  // namespace

std::vector<DefaultsItem> read_defaults(const toml::table& file, const std::string& where) {
  std::vector<DefaultsItem> items;
  const toml::node* node = file.get("defaults");
  if (!node) return items;
  const toml::array* list = node->as_array();
  if (!list) fail("{}: 'defaults' must be a list", where);
  for (std::size_t i = 0; i < list->size(); ++i)
    items.push_back(read_item(*list->get(i), where, i));
  return items;
}

std::vector<DefaultsEntry> primary_defaults(const toml::table& config, const std::string& where) {
  std::vector<DefaultsEntry> list;
  bool has_self = false;
  for (const DefaultsItem& item : read_defaults(config, where)) {
    if (item.self) {
      if (has_self) fail("{}: '_self_' appears twice in defaults", where);
      has_self = true;
      list.push_back({DefaultsEntry::Kind::self, "", "", where});
      continue;
    }
    if (item.override_)
      fail("{}: 'override /{}' belongs in an experiment; write {{ {} = \"{}\" }} here", where,
           item.group, item.group, item.option);
    if (find_group(list, item.group) >= 0)
      fail("{}: group '{}' appears twice in defaults", where, item.group);
    list.push_back({DefaultsEntry::Kind::group, item.group, item.option, where});
  }
  if (!has_self) list.push_back({DefaultsEntry::Kind::self, "", "", where});
  return list;
}

int find_group(const std::vector<DefaultsEntry>& list, const std::string& group) {
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i].kind == DefaultsEntry::Kind::group && list[i].group == group)
      return static_cast<int>(i);
  return -1;
}

}  // namespace audify
