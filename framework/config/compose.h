// Config composition as Hydra does it: configs/config.toml's defaults list picks one option per
// group (configs/<group>/<option>.toml, mounted at the table <group>), `_self_` places the primary
// file's own keys, `+experiment=NAME` (experiments/NAME.toml, keys at the root) comes next and may
// re-choose groups with `override /group`, and command-line overrides apply last: group choices
// before anything merges, key overrides after. Tables merge deeply; any other value (lists
// included) replaces. Every key remembers the file or override that set it last.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "config/override_parser.h"
#include "config/provenance.h"
#include "config/toml_writer.h"  // to_toml_string, for the composed table

namespace audify {

struct ConfigSources {
  std::filesystem::path configs;      // config.toml and <group>/<option>.toml
  std::filesystem::path experiments;  // <name>.toml, chosen with +experiment=NAME
  std::filesystem::path base;         // files are named relative to this folder in provenance

  // root/configs and root/experiments, named relative to root ("configs/model/mlp.toml").
  static ConfigSources at(const std::filesystem::path& root);
  // How a file under `base` is named in provenance and errors.
  std::string display(const std::filesystem::path& file) const;
};

struct ComposedConfig {
  toml::table table;
  Provenance provenance;
  // Group -> option in merge order (Hydra's hydra.runtime.choices).
  std::vector<std::pair<std::string, std::string>> choices;
  std::string experiment;  // the +experiment chosen, "" for none

  std::string origin_of(const std::string& dotted_key) const {
    return provenance.origin_of(dotted_key);
  }
};

// Composes the config for one run. `overrides` must be plain (expand sweeps first); errors throw
// audify::Error naming the file or the override at fault.
ComposedConfig compose(const ConfigSources& sources, const std::vector<Override>& overrides);

}  // namespace audify
