#include "config/config_sources.h"

#include <algorithm>
#include <set>

namespace audify {
namespace fs = std::filesystem;
namespace {

// Names come from the command line and from config files: one too long for the file system
// (ENAMETOOLONG) is simply not there, rather than a filesystem_error escaping composition.
bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}
bool is_folder(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::string join_names(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

void add_stems(const fs::path& dir, std::set<std::string>& names) {
  if (dir.empty()) return;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec) && entry.path().extension() == ".toml")
      names.insert(entry.path().stem().string());
}

bool is_under(const fs::path& file, const fs::path& dir) {
  if (dir.empty()) return false;
  const fs::path rel = file.lexically_normal().lexically_relative(dir.lexically_normal());
  return !rel.empty() && rel.begin()->string() != "..";
}

}  // namespace

ConfigSources ConfigSources::at(const fs::path& root) {
  return {{{root / "configs", root / "experiments", root, root.string()}}};
}

std::optional<fs::path> ConfigSources::find_config(const fs::path& relative) const {
  for (const ConfigPlace& p : places)
    if (!p.configs.empty() && is_file(p.configs / relative)) return p.configs / relative;
  return std::nullopt;
}

std::optional<fs::path> ConfigSources::find_experiment(const std::string& name) const {
  for (const ConfigPlace& p : places)
    if (!p.experiments.empty() && is_file(p.experiments / (name + ".toml")))
      return p.experiments / (name + ".toml");
  return std::nullopt;
}

bool ConfigSources::has_group(const std::string& group) const {
  return std::any_of(places.begin(), places.end(), [&](const ConfigPlace& p) {
    return !p.configs.empty() && is_folder(p.configs / group);
  });
}

std::string ConfigSources::options_of(const std::string& group) const {
  std::set<std::string> names;
  for (const ConfigPlace& p : places)
    if (!p.configs.empty()) add_stems(p.configs / group, names);
  return join_names(names);
}

std::string ConfigSources::experiment_names() const {
  std::set<std::string> names;
  for (const ConfigPlace& p : places) add_stems(p.experiments, names);
  return join_names(names);
}

// Where a file was looked for, in full: which places were searched is the point of the message.
static std::string full_name(const fs::path& file) {
  return fs::absolute(file).lexically_normal().generic_string();
}

std::string ConfigSources::config_candidates(const fs::path& relative) const {
  std::string out;
  for (const ConfigPlace& p : places)
    if (!p.configs.empty()) out += (out.empty() ? "" : ", ") + full_name(p.configs / relative);
  return out;
}

std::string ConfigSources::experiment_candidates(const std::string& name) const {
  std::string out;
  for (const ConfigPlace& p : places)
    if (!p.experiments.empty())
      out += (out.empty() ? "" : ", ") + full_name(p.experiments / (name + ".toml"));
  return out;
}

std::string ConfigSources::display(const fs::path& file) const {
  for (const ConfigPlace& p : places) {
    if (!is_under(file, p.configs) && !is_under(file, p.experiments)) continue;
    if (p.base.empty()) break;
    return file.lexically_normal().lexically_relative(p.base.lexically_normal()).generic_string();
  }
  return file.lexically_normal().generic_string();
}

std::string ConfigSources::describe() const {
  std::string out;
  for (const ConfigPlace& p : places) {
    out += p.origin + ":";
    if (!p.configs.empty()) out += " " + fs::absolute(p.configs).lexically_normal().string();
    if (!p.experiments.empty())
      out += " " + fs::absolute(p.experiments).lexically_normal().string();
    out += "\n";
  }
  return out;
}

}  // namespace audify
