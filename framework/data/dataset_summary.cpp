#include "data/dataset_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "audio/decode.h"
#include "core/error.h"

namespace audify {

DatasetSummary summarize_dataset(const Dataset& ds) {
  DatasetSummary s;
  s.layout = ds.layout;
  s.root = ds.root.string();
  s.class_names = ds.class_names;
  s.clips_per_class.assign(ds.class_names.size(), 0);
  std::map<int, std::set<int>> folds_of_recording;
  std::map<int, std::set<int>> recordings_of_fold;
  std::vector<double> seconds;
  for (const ClipInfo& c : ds.clips) {
    ++s.clips;
    ++s.clips_per_class.at(static_cast<std::size_t>(c.class_id));
    ++s.clips_per_fold[c.fold];
    if (c.fs_id >= 0) {
      folds_of_recording[c.fs_id].insert(c.fold);
      recordings_of_fold[c.fold].insert(c.fs_id);
    } else {
      ++s.clips_without_recording;
    }
    try {
      const AudioInfo info = probe_audio(c.path);
      ++s.formats[info.format];
      ++s.sample_rates[info.sample_rate];
      ++s.channels[info.channels];
      if (info.frames >= 0 && info.sample_rate > 0)
        seconds.push_back(static_cast<double>(info.frames) / info.sample_rate);
    } catch (const Error& e) {
      const std::string why = e.what();
      s.unreadable.push_back(why.starts_with(c.path.string()) ? why : c.path.string() + ": " + why);
    }
  }
  for (const ClipInfo& c : ds.missing) s.missing.push_back(c.path.string());
  s.recordings = static_cast<int>(folds_of_recording.size());
  for (const auto& [id, folds] : folds_of_recording)
    if (folds.size() > 1) s.recordings_in_many_folds.push_back(id);
  for (const auto& [fold, ids] : recordings_of_fold)
    s.recordings_per_fold[fold] = static_cast<int>(ids.size());
  if (!seconds.empty()) {
    std::sort(seconds.begin(), seconds.end());
    s.min_seconds = seconds.front();
    s.max_seconds = seconds.back();
    const std::size_t n = seconds.size();
    s.median_seconds = n % 2 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
  }
  return s;
}

namespace {

std::string fold_name(int fold) {
  return fold < 0 ? std::string("(none)") : std::to_string(fold);
}

template <typename Map>
std::string counts(const Map& m, const char* unit = "") {
  std::string out;
  for (const auto& [key, n] : m)
    out += fmt::format("{}{}{} ({})", out.empty() ? "" : ", ", key, unit, n);
  return out;
}

void list(std::string& out, const char* title, const std::vector<std::string>& items,
          std::size_t limit) {
  out += fmt::format("{}: {}\n", title, items.size());
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) out += "  " + items[i] + "\n";
  if (items.size() > limit) out += fmt::format("  ... and {} more\n", items.size() - limit);
}

}  // namespace

std::string format_dataset_summary(const DatasetSummary& s, std::size_t list_limit) {
  std::string out = fmt::format("dataset: {} (layout {})\n", s.root, s.layout);
  out += fmt::format(
      "clips: {} in {} classes, {} recordings{}\n", s.clips, s.class_names.size(), s.recordings,
      s.clips_without_recording ? fmt::format(" ({} clips without one)", s.clips_without_recording)
                                : "");
  std::size_t width = 5;
  for (const std::string& name : s.class_names) width = std::max(width, name.size());
  out += fmt::format("\n{:>4}  {:<{}}  {:>6}\n", "id", "class", width, "clips");
  for (std::size_t c = 0; c < s.class_names.size(); ++c)
    out += fmt::format("{:>4}  {:<{}}  {:>6}\n", c, s.class_names[c], width, s.clips_per_class[c]);
  out += fmt::format("\n{:>6}  {:>6}  {:>10}\n", "fold", "clips", "recordings");
  for (const auto& [fold, n] : s.clips_per_fold) {
    const auto r = s.recordings_per_fold.find(fold);
    out += fmt::format("{:>6}  {:>6}  {:>10}\n", fold_name(fold), n,
                       r == s.recordings_per_fold.end() ? 0 : r->second);
  }
  std::vector<std::string> straddling;
  for (int id : s.recordings_in_many_folds) straddling.push_back(std::to_string(id));
  out += "\n";
  list(out, "recordings in more than one fold", straddling, list_limit);
  out += fmt::format("formats: {}\n", counts(s.formats));
  out += fmt::format("sample rates: {}\n", counts(s.sample_rates, " Hz"));
  out += fmt::format("channels: {}\n", counts(s.channels));
  out += fmt::format("duration: min {:.3f} s, median {:.3f} s, max {:.3f} s\n", s.min_seconds,
                     s.median_seconds, s.max_seconds);
  list(out, "missing files", s.missing, list_limit);
  list(out, "unreadable files", s.unreadable, list_limit);
  return out;
}

}  // namespace audify
