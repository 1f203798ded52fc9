// Config composition as Hydra does it: configs/config.toml's defaults list picks one option per
// group (configs/<group>/<option>.toml, mounted at the table <group>), `_self_` places the primary
// file's own keys, `+experiment=NAME` (experiments/NAME.toml, keys at the root) comes next and may
// re-choose groups with `override /group`, and command-line overrides apply last: group choices
// before anything merges, key overrides after. Tables merge deeply; any other value (lists
// included) replaces. Every key remembers the file or override that set it last.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "config/config_sources.h"
#include "config/override_parser.h"
#include "config/provenance.h"
#include "config/toml_writer.h"  // to_toml_string, for the composed table

namespace audify {

struct ComposedConfig {
  toml::table table;
  Provenance provenance;
  // Group -> option in merge order (Hydra's hydra.runtime.choices).
  std::vector<std::pair<std::string, std::string>> choices;
  std::string experiment;  // the +experiment chosen, "" for none
  // The files composed, in merge order, by full path (for `run --cfg` and the run's log).
  std::vector<std::filesystem::path> files;

  std::string origin_of(const std::string& dotted_key) const {
    return provenance.origin_of(dotted_key);
  }
};

// Every dotted key a typed config accepts, given the table composed so far (the run's schemas,
// whose `model.*` keys depend on model.kind). With one, `key=value` may set a key that no file
// sets, and a key outside it is refused with the nearest keys as suggestions; without one, only
// keys the files set may be set without `+` (Hydra's rule).
using KeyCatalog = std::function<std::vector<std::string>(const toml::table& composed)>;

// Composes the config for one run. `overrides` must be plain (expand sweeps first); errors throw
// audify::Error naming the file or the override at fault.
ComposedConfig compose(const ConfigSources& sources, const std::vector<Override>& overrides,
                       const KeyCatalog& catalog = {});

}  // namespace audify
