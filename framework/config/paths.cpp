#include "config/paths.h"

#include <cstdlib>
#include <set>

#include "core/error.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

fs::path& config_dir_option() {
  static fs::path dir;
  return dir;
}

bool is_folder(const fs::path& path) {
  std::error_code ec;
  return !path.empty() && fs::is_directory(path, ec);
}

fs::path env_path(const char* var) {
  const char* v = std::getenv(var);
  return v && *v ? fs::path(v) : fs::path();
}

// <prefix>/share/audify for a binary in <prefix>/bin, found from the running executable so that
// an installed tree works wherever it was copied.
fs::path installed_data_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (exe.parent_path() / AUDIFY_INSTALL_DATA_FROM_BIN).lexically_normal();
}

// Adds a place with the folders that exist and were not searched before.
void add_place(ConfigSources& sources, std::set<fs::path>& seen, fs::path configs,
               fs::path experiments, fs::path base, std::string origin) {
  const auto keep = [&seen](fs::path& dir) {
    std::error_code ec;
    if (!is_folder(dir) || !seen.insert(fs::weakly_canonical(dir, ec)).second) dir.clear();
  };
  keep(configs);
  keep(experiments);
  if (configs.empty() && experiments.empty()) return;
  sources.places.push_back({configs, experiments, base, std::move(origin)});
}

}  // namespace

void set_config_dir(const fs::path& dir) {
  if (!is_folder(dir)) fail("--config-dir {}: not a folder", dir.string());
  if (!is_folder(dir / "configs") && !is_folder(dir / "experiments"))
    fail(
        "--config-dir {}: holds neither configs/ nor experiments/ (expected the source tree's "
        "layout: DIR/configs/<group>/<option>.toml, DIR/experiments/<name>.toml)",
        dir.string());
  config_dir_option() = fs::absolute(dir);
}

ConfigSources config_search_path() {
  ConfigSources s;
  std::set<fs::path> seen;
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (!ec) add_place(s, seen, cwd / "configs", cwd / "experiments", cwd, "working directory");
  if (const fs::path& dir = config_dir_option(); !dir.empty())
    add_place(s, seen, dir / "configs", dir / "experiments", {}, "--config-dir");
  add_place(s, seen, env_path("AUDIFY_CONFIG_DIR"), env_path("AUDIFY_EXPERIMENT_DIR"), {},
            "$AUDIFY_CONFIG_DIR / $AUDIFY_EXPERIMENT_DIR");
  if (const fs::path installed = installed_data_dir(); !installed.empty())
    add_place(s, seen, installed / "configs", installed / "experiments", {}, "installed");
  const fs::path source(AUDIFY_SOURCE_DIR);
  add_place(s, seen, source / "configs", source / "experiments", source, "source tree");
  return s;
}

fs::path dataset_index_root() {
  if (fs::path env = env_path("AUDIFY_DATASET_INDEX_DIR"); !env.empty()) return env;
  if (const fs::path installed = installed_data_dir(); is_folder(installed / "indexes"))
    return installed / "indexes";
  return fs::path(AUDIFY_SOURCE_DIR) / "framework/data/indexes";
}

}  // namespace audify
