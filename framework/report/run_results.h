// What `audify report` knows about one finished run, read back from its run directory
// (metrics.json, history.csv, overrides.txt), and about a multirun folder (summary.csv + points).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace audify {

struct FoldScore {
  std::string name;  // "random", "fold3", ...
  double train_accuracy = 0, test_accuracy = 0, test_macro_f1 = 0;
  double leak_fraction = 0;               // this split's test clips with a sibling in train
  double leak_fraction_before_purge = 0;  // the same before split.purge dropped training clips
  int purged_train_clips = 0;
  std::vector<int> train_class_clips, test_class_clips;  // per class (class_labels order)
  double validation_accuracy = -1;  // train.validation_fraction's rows; -1 when there are none
  std::string test_set;  // digest of the clips tested on (report/test_sets.h); "" when unknown
};

struct ClassScore {
  std::string name;
  double precision = 0, recall = 0, f1 = 0;
  int support = 0;
};

struct EpochRow {
  std::string split;  // history.csv's fold column; "" for a single split
  int epoch = 0;
  double loss = 0, train_accuracy = 0, test_accuracy = 0;
  bool train_dropout_off = false;  // history.csv's train_acc is the evaluated figure (newer runs)
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct RunResults {
  std::filesystem::path dir;
  std::string label;  // how the report names the run (its folder, or multirun/point)
  std::string experiment, split_kind, model_kind, device, commit, finished_at, data_source;
  std::string feature_description;  // e.g. "275 columns: 11 statistics x 25 MFCCs ..."
  std::string split_note;           // metrics.json split.note (e.g. fewer folds than the protocol)
  std::string model_note;           // which model model.safetensors holds
  KeyValues hyperparameters;        // config.toml's model.* and, for trained networks, train.*
  std::string augmentation;         // augment/augment_options.h's describe(); "—" for non-CNNs
  int clips = 0, features = 0;
  long long parameters = 0;  // metrics.json model.parameters (0 when not recorded)
  // Accuracies are fractions; for k-fold the mean and std over folds.
  double train_accuracy = 0, train_accuracy_std = 0;
  double test_accuracy = 0, test_accuracy_std = 0;
  double macro_f1 = 0;
  double leak_fraction = 0;  // test clips with a slice of the same recording in train
  double leak_fraction_before_purge = 0;
  int purged_train_clips = 0;  // split.purge: training clips dropped over all splits
  std::vector<FoldScore> folds;
  std::vector<std::string> class_names;
  std::vector<ClassScore> per_class;        // pooled test predictions
  std::vector<std::vector<int>> confusion;  // (true, predicted), pooled test predictions
  std::vector<EpochRow> history;
  KeyValues overrides;  // overrides.txt, key=value per line
  KeyValues swept;      // for a multirun point: the swept keys and this point's values
  // Wall time per stage (experiment/run_report.h's StageSeconds); split and write are 0 for runs
  // written before they were measured.
  double seconds_dataset = 0, seconds_extract = 0, seconds_split = 0, seconds_train = 0,
         seconds_evaluate = 0, seconds_write = 0, seconds_total = 0;
};

struct MultirunResults {
  std::filesystem::path dir;
  std::vector<std::string> swept_keys;  // summary.csv's columns between `dir` and the numbers
  std::vector<RunResults> points;       // the points with a readable metrics.json
  std::vector<std::string> missing;     // point folders without one (failed or unfinished)
};

// A run directory holds metrics.json; a multirun folder holds summary.csv.
bool is_run_dir(const std::filesystem::path& dir);
bool is_multirun_dir(const std::filesystem::path& dir);

// For a run folder without results, why: "failed: <error>" when the run left FAILED
// (experiment/run_dir.h), "unfinished (no metrics.json)" when it holds a config.toml but no
// metrics.json (crashed or still running); nullopt for any other folder.
std::optional<std::string> unfinished_run(const std::filesystem::path& dir);

// Throws audify::Error naming the directory (or the file) when it is not a readable run.
RunResults load_run_results(const std::filesystem::path& dir);
MultirunResults load_multirun_results(const std::filesystem::path& dir);

// The mean validation accuracy over a run's splits, or -1 when any split has none.
double validation_accuracy(const RunResults& run);

// Class names for a run: its own list, else UrbanSound8K's when it has 10 classes, else class<i>.
std::vector<std::string> class_labels(const RunResults& run);

}  // namespace audify
