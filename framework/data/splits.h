// Train/test splits of a labelled clip list, and the leak figure that shows why random splits of
// UrbanSound8K flatter a model: slices of one recording (fsID) on both sides of the split.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/options.h"
#include "data/feature_table.h"

namespace audify {

enum class SplitKind {
  random,        // the seed's: permute, first ceil(test_fraction * n) test, rest train
  grouped,       // ~test_fraction of the fsIDs (recordings) to test, each recording on one side
  kfold,         // official folds, leave-one-fold-out (one split per test fold)
  fold_holdout,  // train on some folds, test on others (one split)
};

struct SplitOptions {
  SplitKind kind = SplitKind::random;
  double test_fraction = 0.3;  // random, grouped
  // random, grouped. An int because TOML integers and `split.seed=` overrides are; it keys a Philox
  // stream, so seed N here does not give numpy's RandomState(N) permutation.
  int seed = 0;
  // grouped: assign recordings so that each class's test share stays near test_fraction (a greedy
  // pass in shuffled order, as scikit-learn's StratifiedGroupKFold balances its folds).
  bool stratify = false;
  // any kind: drop from the training side every clip whose recording (fsID) also has a clip on
  // the test side, so no split leaks (the official folds share five recordings across folds).
  bool purge = false;
  std::vector<int> folds;              // kfold: test folds to run (empty = every fold present)
  std::vector<int> train_folds;        // fold_holdout (empty = all folds not in test_folds)
  std::vector<int> test_folds = {10};  // fold_holdout
};

// How much of the test side has a sibling slice (same fsID) on the training side.
struct LeakFigure {
  int test_clips = 0;
  int test_clips_with_sibling_in_train = 0;
  int test_recordings = 0;  // distinct fsIDs in test
  int test_recordings_in_train = 0;
  // split.purge: the training clips dropped, and the leaked test clips before they were dropped.
  int purged_train_clips = 0;
  int test_clips_with_sibling_before_purge = 0;
  double clip_fraction() const {
    return test_clips ? double(test_clips_with_sibling_in_train) / test_clips : 0.0;
  }
  double clip_fraction_before_purge() const {
    return test_clips ? double(test_clips_with_sibling_before_purge) / test_clips : 0.0;
  }
};

struct Split {
  std::string name;        // "random", "fold3", ...
  int test_fold = 0;       // kfold: the held-out fold; else 0
  std::vector<int> train;  // row indices into the table
  std::vector<int> test;
  LeakFigure leak;
};

// `split.*` keys: kind, test_fraction, seed, stratify, purge, folds, train_folds, test_folds.
void bind(OptionSchema& schema, SplitOptions& options);

// Throws audify::Error when the split cannot be made (missing fold labels, an empty side, ...).
std::vector<Split> make_splits(const FeatureTable& table, const SplitOptions& options);
LeakFigure measure_leak(const FeatureTable& table, const std::vector<int>& train,
                        const std::vector<int>& test);

}  // namespace audify
