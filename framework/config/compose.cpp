// Composition: build the defaults list (primary file, command-line additions, the experiment's
// `override /group` choices, command-line choices, in that order of precedence), merge the chosen
// files, then apply key overrides. Provenance is recorded at every merge and override.
#include "config/compose.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "config/defaults_list.h"
#include "config/key_suggestions.h"
#include "config/options.h"
#include "core/error.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

toml::table load_toml(const fs::path& path, const std::string& shown) {
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    fail("{}:{}:{}: {}", shown, e.source().begin.line, e.source().begin.column, e.description());
  }
}

std::string node_text(const toml::node& node) {
  if (auto s = node.value_exact<std::string>()) return *s;
  std::ostringstream ss;
  node.visit([&ss](const auto& v) { ss << toml::toml_formatter(v); });
  return ss.str();
}

void assign(toml::table& parent, const std::string& key, const toml::node& value) {
  value.visit([&](const auto& v) { parent.insert_or_assign(key, v); });
}

std::string join(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

// Deep merge: tables into tables, anything else replaces (Hydra/OmegaConf: lists replace).
void merge(toml::table& dst, const toml::table& src, const std::string& prefix,
           const std::string& origin, Provenance& provenance) {
  for (const auto& [k, node] : src) {
    const std::string key(k.str());
    const std::string path = join(prefix, key);
    toml::node* existing = dst.get(key);
    if (existing && existing->is_table() && node.is_table()) {
      merge(*existing->as_table(), *node.as_table(), path, origin, provenance);
      continue;
    }
    assign(dst, key, node);
    provenance.record(path, *dst.get(key), origin);
  }
}

// The table at `parts` under `root`, created (and recorded as from `origin`) where missing.
toml::table& table_at(toml::table& root, const std::vector<std::string>& parts,
                      const std::string& origin, Provenance& provenance) {
  toml::table* t = &root;
  std::string path;
  for (const std::string& p : parts) {
    path = join(path, p);
    toml::node* n = t->get(p);
    if (!n || !n->is_table()) {
      t->insert_or_assign(p, toml::table{});
      n = t->get(p);
      provenance.record(path, *n, origin);
    }
    t = n->as_table();
  }
  return *t;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

bool is_experiment(const Override& o) {
  return o.key == "experiment" && (o.op == OverrideOp::add || o.op == OverrideOp::force_add);
}

bool is_group(const Override& o, const std::vector<DefaultsEntry>& list, const ConfigSources& s) {
  if (o.key.find('.') != std::string::npos) return false;
  return find_group(list, o.key) >= 0 || s.has_group(o.key);
}

std::string option_of(const Override& o) {
  if (!o.has_value() || o.value().empty() || o.value().find('/') != std::string::npos ||
      o.value().find('"') != std::string::npos)
    fail("override '{}': expected a config name after '='", o.text);
  return o.value();
}

// Whether `key=value` may set `o.key` though no file set it: only where a catalog knows the key. A
// key it does not know is refused here, with suggestions, rather than with a hint to add it with
// `+` that validation would then refuse.
bool catalog_allows(const ComposedConfig& c, const Override& o, const KeyCatalog& catalog) {
  if (!catalog || o.op != OverrideOp::set) return false;
  const std::vector<std::string> keys = catalog(c.table);
  if (std::find(keys.begin(), keys.end(), o.key) != keys.end()) return true;
  fail("override '{}': unknown key '{}'{}; `audify run --cfg` lists every key", o.text, o.key,
       did_you_mean(o.key, keys));
}

void apply_key_override(ComposedConfig& c, const Override& o, const KeyCatalog& catalog) {
  if (o.key.find('/') != std::string::npos)
    fail("override '{}': '{}' is not a config group", o.text, o.key);
  const std::vector<std::string> parts = split(o.key, '.');
  const bool in_config = c.table.at_path(o.key).node() != nullptr;
  const bool adds = o.op == OverrideOp::add || o.op == OverrideOp::force_add ||
                    (!in_config && catalog_allows(c, o, catalog));
  const std::string origin = "override '" + o.text + "'";
  toml::table* parent = &c.table;
  std::string path;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    path = join(path, parts[i]);
    toml::node* n = parent->get(parts[i]);
    if (!n && adds) {
      parent->insert_or_assign(parts[i], toml::table{});
      n = parent->get(parts[i]);
      c.provenance.record(path, *n, origin);
    }
    if (!n)
      fail("override '{}': key '{}' is not in the config (use +{} to add it)", o.text, o.key,
           o.text);
    if (!n->is_table()) fail("override '{}': '{}' is not a table", o.text, path);
    parent = n->as_table();
  }
  const std::string& leaf = parts.back();
  const toml::node* existing = parent->get(leaf);
  if (o.op == OverrideOp::remove) {
    if (!existing)
      fail("override '{}': cannot delete '{}': it is not in the config", o.text, o.key);
    if (o.has_value()) {
      const toml::table parsed = parse_override_value(o.value());
      if (node_text(*existing) != node_text(*parsed.get("value")))
        fail("override '{}': '{}' is {}, not {}", o.text, o.key, node_text(*existing), o.value());
    }
    parent->erase(leaf);
    c.provenance.erase(o.key);
    return;
  }
  if (o.op == OverrideOp::set && !existing && !adds)
    fail("override '{}': key '{}' is not in the config (use +{} to add it)", o.text, o.key, o.text);
  if (o.op == OverrideOp::add && existing)
    fail("override '{}': key '{}' is already in the config (set it with {}={}, or use ++{}={})",
         o.text, o.key, o.key, o.value(), o.key, o.value());
  const toml::table parsed = parse_override_value(o.value());
  const toml::node& value = *parsed.get("value");
  if (existing && existing->is_table() && !value.is_table())
    fail("override '{}': '{}' is a table; set its keys instead", o.text, o.key);
  assign(*parent, leaf, value);
  c.provenance.record(o.key, *parent->get(leaf), origin);
}

fs::path full_path(const fs::path& file) {
  return fs::absolute(file).lexically_normal();
}

}  // namespace

// A group file's own defaults may re-choose other groups with `override /group` (model=sb_cnn
// picks features=logmel128 and train=sb_cnn), but only groups the primary config chose: an
// experiment's or the command line's choice is more specific and wins.
void apply_group_file_defaults(const ConfigSources& sources, const std::string& primary_name,
                               std::vector<DefaultsEntry>& list) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].kind != DefaultsEntry::Kind::group) continue;
    const auto path = sources.find_config(fs::path(list[i].group) / (list[i].option + ".toml"));
    if (!path) continue;  // reported when the group is mounted
    const std::string shown = sources.display(*path);
    for (const DefaultsItem& item : read_defaults(load_toml(*path, shown), shown)) {
      if (item.self) continue;
      if (!item.override_)
        fail(
            "{}: a group file's defaults can only re-choose groups: write {{ \"override /{}\" = "
            "\"{}\" }}",
            shown, item.group, item.option);
      const int at = find_group(list, item.group);
      if (at < 0)
        fail("{}: 'override /{}': group '{}' is not in the defaults list", shown, item.group,
             item.group);
      if (list[at].chosen_by != primary_name) continue;
      list[at].option = item.option;
      list[at].chosen_by = shown;
    }
  }
}

ComposedConfig compose(const ConfigSources& sources, const std::vector<Override>& overrides,
                       const KeyCatalog& catalog) {
  for (const Override& o : overrides)
    if (o.sweep) fail("override '{}': a sweep needs multirun (-m)", o.text);
  const auto primary_path = sources.find_config("config.toml");
  if (!primary_path)
    fail("config.toml: not found (looked for {}; the config root needs it)",
         sources.config_candidates("config.toml"));
  const std::string primary_name = sources.display(*primary_path);
  toml::table primary = load_toml(*primary_path, primary_name);
  std::vector<DefaultsEntry> list = primary_defaults(primary, primary_name);
  primary.erase("defaults");

  // Additions first (+group, ++group, +experiment), appended in command-line order as in Hydra.
  for (const Override& o : overrides) {
    if (is_experiment(o)) {
      const std::string name = option_of(o);
      auto it = std::find_if(list.begin(), list.end(), [](const auto& e) {
        return e.kind == DefaultsEntry::Kind::experiment;
      });
      if (it != list.end() && o.op == OverrideOp::add)
        fail("override '{}': experiment '{}' is already chosen", o.text, it->option);
      if (it != list.end())
        *it = {DefaultsEntry::Kind::experiment, "experiment", name, o.text};
      else
        list.push_back({DefaultsEntry::Kind::experiment, "experiment", name, o.text});
    } else if (is_group(o, list, sources) && o.op != OverrideOp::set &&
               o.op != OverrideOp::remove) {
      const int at = find_group(list, o.key);
      if (at >= 0 && o.op == OverrideOp::add)
        fail("override '{}': group '{}' is already in the defaults list (option '{}'); use {}={}",
             o.text, o.key, list[at].option, o.key, option_of(o));
      if (at < 0) list.push_back({DefaultsEntry::Kind::group, o.key, option_of(o), o.text});
    }
  }

  // The experiment's own defaults: `override /group` re-chooses, a plain item adds before it.
  std::map<std::string, toml::table> experiment_files;
  std::map<std::string, fs::path> experiment_paths;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].kind != DefaultsEntry::Kind::experiment) continue;
    const DefaultsEntry entry = list[i];
    const auto path = sources.find_experiment(entry.option);
    if (!path)
      fail("{}: no experiment file {} (available: {})", entry.chosen_by,
           sources.experiment_candidates(entry.option), sources.experiment_names());
    const std::string shown = sources.display(*path);
    toml::table file = load_toml(*path, shown);
    for (const DefaultsItem& item : read_defaults(file, shown)) {
      if (item.self) continue;
      const int at = find_group(list, item.group);
      if (item.override_ && at < 0)
        fail("{}: 'override /{}': group '{}' is not in the defaults list", shown, item.group,
             item.group);
      if (!item.override_ && at >= 0)
        fail("{}: group '{}' is already chosen; write {{ \"override /{}\" = \"{}\" }}", shown,
             item.group, item.group, item.option);
      if (at >= 0) {
        list[at].option = item.option;
        list[at].chosen_by = shown;
      } else {
        list.insert(list.begin() + static_cast<long>(i),
                    {DefaultsEntry::Kind::group, item.group, item.option, shown});
        ++i;
      }
    }
    file.erase("defaults");
    experiment_files[entry.option] = std::move(file);
    experiment_paths[entry.option] = *path;
  }

  // Command-line group choices win over the files'.
  for (const Override& o : overrides) {
    if (is_experiment(o) || !is_group(o, list, sources)) continue;
    const int at = find_group(list, o.key);
    if (o.op == OverrideOp::remove) {
      if (at < 0) fail("override '{}': group '{}' is not in the defaults list", o.text, o.key);
      if (o.has_value() && o.value() != list[at].option)
        fail("override '{}': group '{}' has option '{}', not '{}'", o.text, o.key, list[at].option,
             o.value());
      list.erase(list.begin() + at);
      continue;
    }
    if (at < 0)
      fail("override '{}': group '{}' is not in the defaults list (use +{} to add it)", o.text,
           o.key, o.text);
    list[at].option = option_of(o);
    list[at].chosen_by = o.text;
  }

  apply_group_file_defaults(sources, primary_name, list);

  ComposedConfig c;
  c.files.push_back(full_path(*primary_path));
  for (const DefaultsEntry& e : list) {
    if (e.kind == DefaultsEntry::Kind::self) {
      merge(c.table, primary, "", primary_name, c.provenance);
    } else if (e.kind == DefaultsEntry::Kind::group) {
      const fs::path relative = fs::path(e.group) / (e.option + ".toml");
      const auto path = sources.find_config(relative);
      if (!path)
        fail("{}: no config {} for group '{}' (options: {})", e.chosen_by,
             sources.config_candidates(relative), e.group, sources.options_of(e.group));
      const std::string shown = sources.display(*path);
      toml::table file = load_toml(*path, shown);
      c.files.push_back(full_path(*path));
      file.erase("defaults");  // applied above
      std::vector<std::string> parts = split(e.group, '/');
      std::string mount;
      for (const std::string& p : parts) mount = join(mount, p);
      merge(table_at(c.table, parts, shown, c.provenance), file, mount, shown, c.provenance);
      c.choices.emplace_back(e.group, e.option);
    } else {
      const fs::path& path = experiment_paths.at(e.option);
      const std::string shown = sources.display(path);
      c.files.push_back(full_path(path));
      c.table.insert_or_assign("experiment", e.option);  // the file may rename it
      c.provenance.record("experiment", *c.table.get("experiment"), shown);
      merge(c.table, experiment_files.at(e.option), "", shown, c.provenance);
      c.experiment = e.option;
      c.choices.emplace_back("experiment", e.option);
    }
  }

  for (const Override& o : overrides)
    if (!is_experiment(o) && !is_group(o, list, sources)) apply_key_override(c, o, catalog);
  return c;
}

}  // namespace audify
