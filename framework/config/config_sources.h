// Where composition finds its files: a list of places, each a configs folder (config.toml and
// <group>/<option>.toml) and an experiments folder (<name>.toml), searched per file in order, so a
// user's ./configs/model/my_mlp.toml sits beside the installed groups and a
// ./configs/model/mlp.toml replaces the installed one without copying the rest. config/paths.h
// builds the list `audify` uses.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace audify {

struct ConfigPlace {
  std::filesystem::path configs;      // config.toml and <group>/<option>.toml; empty: none here
  std::filesystem::path experiments;  // <name>.toml; empty: none here
  // Files here are named relative to this folder in provenance and errors ("configs/model/
  // mlp.toml"); empty: by their full path.
  std::filesystem::path base;
  std::string origin;  // why this place is searched ("working directory", "--config-dir"), for logs
};

struct ConfigSources {
  std::vector<ConfigPlace> places;  // earliest first; the first place holding a file wins

  // One place: root/configs and root/experiments, named relative to root
  // ("configs/model/mlp.toml").
  static ConfigSources at(const std::filesystem::path& root);

  // The first configs folder holding `relative` ("config.toml", "model/mlp.toml").
  std::optional<std::filesystem::path> find_config(const std::filesystem::path& relative) const;
  // The first experiments folder holding <name>.toml.
  std::optional<std::filesystem::path> find_experiment(const std::string& name) const;
  // Whether some configs folder has a folder `group`.
  bool has_group(const std::string& group) const;
  // The options of `group` (file stems over every place, sorted, once each), "none" when empty.
  std::string options_of(const std::string& group) const;
  std::string experiment_names() const;
  // Where `relative` was looked for, for "not found" errors.
  std::string config_candidates(const std::filesystem::path& relative) const;
  std::string experiment_candidates(const std::string& name) const;
  // How a file is named in provenance and errors: relative to its place's base, else in full.
  std::string display(const std::filesystem::path& file) const;
  // One line per place, in search order, for `run --cfg` and the run's log.
  std::string describe() const;
};

}  // namespace audify
