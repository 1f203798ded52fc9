#include "data/class_folders.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <regex>
#include <string_view>

#include "core/csv.h"
#include "core/error.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

constexpr std::array<std::string_view, 10> kAudioExtensions = {
    ".wav", ".flac", ".ogg", ".oga", ".opus", ".aiff", ".aif", ".au", ".mp3", ".w64"};

bool is_audio_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return std::find(kAudioExtensions.begin(), kAudioExtensions.end(), ext) != kAudioExtensions.end();
}

bool hidden(const fs::path& path) {
  return path.filename().string().starts_with(".");
}

// Group 1 of the pattern's first match in the file name (the whole match when it has none).
std::string captured(const std::regex& pattern, const std::string& file_name, const char* key,
                     const std::string& spelled, const fs::path& file) {
  std::smatch m;
  if (!std::regex_search(file_name, m, pattern))
    fail("{}: data.{} '{}' does not match the file name", file.string(), key, spelled);
  return m.size() > 1 ? m[1].str() : m[0].str();
}

}  // namespace

Dataset load_class_folders(const fs::path& root, const DataOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) fail("{}: dataset folder not found", root.string());
  std::vector<fs::path> class_dirs;
  for (const fs::directory_entry& e : fs::directory_iterator(root))
    if (e.is_directory() && !hidden(e.path())) class_dirs.push_back(e.path());
  std::sort(class_dirs.begin(), class_dirs.end());
  if (class_dirs.empty())
    fail("{}: no class folders (expected the folders layout: ROOT/<class>/<audio files>)",
         root.string());

  const std::regex prefix(options.class_prefix);
  const std::optional<std::regex> fold_pattern =
      options.fold_pattern.empty() ? std::nullopt : std::optional(std::regex(options.fold_pattern));
  const std::optional<std::regex> group_pattern =
      options.group_pattern.empty() ? std::nullopt
                                    : std::optional(std::regex(options.group_pattern));

  std::vector<ClipInfo> clips;
  std::vector<std::string> labels, groups;
  std::vector<std::string> folder_names;  // class names in folder order
  std::vector<std::size_t> folder_of;     // per clip, index into class_dirs
  for (const fs::path& dir : class_dirs) {
    const std::string folder = dir.filename().string();
    std::string name =
        std::regex_replace(folder, prefix, "", std::regex_constants::format_first_only);
    if (name.empty()) name = folder;
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && !hidden(e.path()) && is_audio_file(e.path()))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) fail("{}: class folder '{}' holds no audio files", dir.string(), name);
    folder_names.push_back(name);
    for (const fs::path& file : files) {
      ClipInfo c;
      c.slice_file_name = fs::relative(file, root).generic_string();
      c.path = file;
      const std::string file_name = file.filename().string();
      if (fold_pattern) {
        const std::string fold =
            captured(*fold_pattern, file_name, "fold_pattern", options.fold_pattern, file);
        if (!csv::parse_int(fold, c.fold) || c.fold < 1)
          fail("{}: fold '{}' (data.fold_pattern) is not a positive integer", file.string(), fold);
      }
      groups.push_back(group_pattern ? captured(*group_pattern, file_name, "group_pattern",
                                                options.group_pattern, file)
                                     : std::string());
      labels.push_back(name);
      folder_of.push_back(folder_names.size() - 1);
      clips.push_back(std::move(c));
    }
  }
  std::vector<std::string> sorted_names = folder_names;
  std::sort(sorted_names.begin(), sorted_names.end());
  if (const auto twice = std::adjacent_find(sorted_names.begin(), sorted_names.end());
      twice != sorted_names.end())
    fail("{}: two class folders are both named '{}' once data.class_prefix '{}' is removed",
         root.string(), *twice, options.class_prefix);

  Dataset ds;
  ds.root = root;
  const std::vector<int> ids = class_ids_of_labels(
      labels, options.classes.empty() ? folder_names : options.classes, ds.class_names,
      [&](std::size_t i) { return class_dirs[folder_of[i]].string(); });
  const std::vector<int> group_ids = recording_group_ids(groups);
  for (std::size_t i = 0; i < clips.size(); ++i) {
    clips[i].class_id = ids[i];
    clips[i].class_name = ds.class_names[static_cast<std::size_t>(ids[i])];
    clips[i].fs_id = group_ids[i];
    ds.clips.push_back(std::move(clips[i]));
  }
  return ds;
}

}  // namespace audify
