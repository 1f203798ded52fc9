// What a dataset holds, before anything is trained on it (`audify dataset info`): clips per class
// and fold, the files' formats, rates and durations (from their headers, nothing decoded),
// recordings per fold and recordings that straddle folds (which would leak between the folds of
// a cross-validation), and the files that are listed but missing or do not read as audio.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace audify {

struct DatasetSummary {
  std::string layout;
  std::string root;
  std::vector<std::string> class_names;
  std::vector<int> clips_per_class;           // index = class id
  std::map<int, int> clips_per_fold;          // fold (-1 = none) -> clips
  std::map<int, int> recordings_per_fold;     // fold -> distinct recording groups
  std::vector<int> recordings_in_many_folds;  // recording groups found in more than one fold
  int clips = 0;                              // clips whose file exists
  int recordings = 0;                         // distinct recording groups (-1 not counted)
  int clips_without_recording = 0;            // fs_id -1
  std::map<std::string, int> formats;         // "OGG VORBIS" -> clips
  std::map<int, int> sample_rates;            // Hz -> clips
  std::map<int, int> channels;                // channel count -> clips
  double min_seconds = 0, median_seconds = 0, max_seconds = 0;  // over the readable clips
  std::vector<std::string> missing;                             // listed files that do not exist
  std::vector<std::string> unreadable;  // "file: why" for files whose header does not read
};

// Reads every clip's header (probe_audio); a file that fails is listed in `unreadable`.
DatasetSummary summarize_dataset(const Dataset& dataset);

// The summary as the text `audify dataset info` prints (aligned tables, at most `list_limit` file
// names per list).
std::string format_dataset_summary(const DatasetSummary& summary, std::size_t list_limit = 20);

}  // namespace audify
