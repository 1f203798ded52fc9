// The defaults list of configs/config.toml and of experiment files, in TOML. Spelling (Hydra's YAML
// `- model: mlp` becomes a one-key inline table):
//   defaults = [{ data = "synthetic" }, { model = "mlp" }, "_self_"]      # configs/config.toml
//   defaults = [{ "override /model" = "mlp" }, { "override /split" = "kfold" }]  # an experiment
// Each group entry mounts configs/<group>/<option>.toml at the table `<group>`; "_self_" marks
// where the file's own keys merge (at the end when absent, as in Hydra >= 1.1).
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

namespace audify {

struct DefaultsEntry {
  enum class Kind { group, self, experiment };
  Kind kind = Kind::group;
  std::string group;      // "model"; nested groups use '/' ("model/encoder")
  std::string option;     // "mlp"; the experiment's name for Kind::experiment
  std::string chosen_by;  // the file or override that chose the option, named in errors
};

struct DefaultsItem {
  bool self = false;
  bool override_ = false;  // `override /group`: change an entry the list already has
  std::string group, option;
};

// Reads `defaults` of `file` (absent: an empty list); `where` names the file in errors.
std::vector<DefaultsItem> read_defaults(const toml::table& file, const std::string& where);

// The primary config's list: its items in order, "_self_" appended when absent. `override` items
// are an error there.
std::vector<DefaultsEntry> primary_defaults(const toml::table& config, const std::string& where);

// Index of `group` in `list`, or -1.
int find_group(const std::vector<DefaultsEntry>& list, const std::string& group);

}  // namespace audify
