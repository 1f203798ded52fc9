// Train/test splits (see splits.h). The rules, so that a split can be reproduced by hand:
//  random   sklearn ShuffleSplit/train_test_split without stratification: n_test =
//           ceil(test_fraction * n); a Fisher-Yates permutation of 0..n-1 drawn from the Philox
//           stream (seed, kSplit, 0); test = perm[0, n_test), train = perm[n_test, n). Same sizes
//           and semantics as numpy's RandomState(seed).permutation, not the same numbers.
//  grouped  recordings = distinct fsIDs in ascending order, then every fsID -1 row as a recording
//           of its own in table order; Fisher-Yates shuffled by (seed, kSplit, 1); whole
//           recordings move to test in shuffled order until test holds >= ceil(test_fraction * n)
//           clips. Test overshoots the target by less than one recording. Rows in table order.
//           With stratify: the same shuffled order, but a recording goes to test only when that
//           brings the test side's class counts closer (squared distance) to test_fraction of
//           each class's clips; the rest train.
//  purge    after any kind: training rows whose fsID also occurs in test are dropped.
//  kfold / fold_holdout   by the official fold column; rows in table order.
#include "data/splits.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_set>

#include "core/error.h"
#include "core/philox.h"

namespace audify {
namespace {

template <typename T>
void shuffle(std::vector<T>& v, int seed, std::uint32_t purpose) {
  // Sign-extended so negative seeds are distinct keys too.
  PhiloxStream rng(static_cast<std::uint64_t>(static_cast<std::int64_t>(seed)),
                   RandomStream::kSplit, purpose);
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = rng.below(static_cast<std::uint32_t>(i));
    std::swap(v[i - 1], v[j]);
  }
}

std::string fold_list(const std::vector<int>& folds) {
  std::string s;
  for (int f : folds) s += (s.empty() ? "" : ",") + std::to_string(f);
  return "[" + s + "]";
}

int test_count(const FeatureTable& table, double test_fraction) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0))
    fail("split.test_fraction: {} is not in (0, 1)", test_fraction);
  const int n = static_cast<int>(table.rows.size());
  return static_cast<int>(std::ceil(test_fraction * n));
}

Split random_split(const FeatureTable& table, const SplitOptions& o) {
  const int n = static_cast<int>(table.rows.size());
  const int n_test = test_count(table, o.test_fraction);
  std::vector<int> perm(n);
  for (int i = 0; i < n; ++i) perm[i] = i;
  shuffle(perm, o.seed, 0);
  Split s;
  s.name = "random";
  s.test.assign(perm.begin(), perm.begin() + n_test);
  s.train.assign(perm.begin() + n_test, perm.end());
  return s;
}

// Recordings as lists of rows: distinct fsIDs ascending, then each fsID -1 row on its own.
std::vector<std::vector<int>> recordings_of(const FeatureTable& table) {
  std::map<int, std::vector<int>> by_fs_id;
  std::vector<std::vector<int>> recordings;
  for (int i = 0; i < static_cast<int>(table.rows.size()); ++i) {
    if (table.rows[i].fs_id == -1) continue;
    by_fs_id[table.rows[i].fs_id].push_back(i);
  }
  for (auto& [id, rows] : by_fs_id) recordings.push_back(std::move(rows));
  for (int i = 0; i < static_cast<int>(table.rows.size()); ++i)
    if (table.rows[i].fs_id == -1) recordings.push_back({i});
  return recordings;
}

// Whole recordings to test in the given order until test holds n_test clips.
std::vector<char> take_until(const std::vector<std::vector<int>>& recordings, std::size_t rows,
                             int n_test) {
  std::vector<char> in_test(rows, 0);
  int taken = 0;
  for (const auto& rec : recordings) {
    if (taken >= n_test) break;
    for (int r : rec) in_test[r] = 1;
    taken += static_cast<int>(rec.size());
  }
  return in_test;
}

// The greedy stratified pass: a recording joins test when that lowers sum over classes of
// (test clips - target)^2; targets are test_fraction of each class's clips.
std::vector<char> take_stratified(const FeatureTable& table,
                                  const std::vector<std::vector<int>>& recordings,
                                  double test_fraction) {
  std::map<int, double> target, in_test_count;
  for (const FeatureRow& row : table.rows) target[row.class_id] += test_fraction;
  std::vector<char> in_test(table.rows.size(), 0);
  std::map<int, int> adds;
  for (const auto& rec : recordings) {
    adds.clear();
    for (int r : rec) ++adds[table.rows[r].class_id];
    double change = 0;  // in the squared distance, were the recording to join test
    for (const auto& [c, n] : adds) {
      const double gap = in_test_count[c] - target[c];
      change += (gap + n) * (gap + n) - gap * gap;
    }
    if (change >= 0) continue;
    for (int r : rec) in_test[r] = 1;
    for (const auto& [c, n] : adds) in_test_count[c] += n;
  }
  return in_test;
}

Split grouped_split(const FeatureTable& table, const SplitOptions& o) {
  const int n_test = test_count(table, o.test_fraction);
  std::vector<std::vector<int>> recordings = recordings_of(table);
  shuffle(recordings, o.seed, 1);
  const std::vector<char> in_test = o.stratify ? take_stratified(table, recordings, o.test_fraction)
                                               : take_until(recordings, table.rows.size(), n_test);
  Split s;
  s.name = "grouped";
  for (int i = 0; i < static_cast<int>(table.rows.size()); ++i)
    (in_test[i] ? s.test : s.train).push_back(i);
  return s;
}

// split.purge: the training rows whose recording also has a test row go.
int purge_shared_recordings(const FeatureTable& table, Split& s) {
  std::unordered_set<int> test_ids;
  for (int r : s.test)
    if (table.rows[r].fs_id != -1) test_ids.insert(table.rows[r].fs_id);
  const std::size_t before = s.train.size();
  std::erase_if(s.train, [&](int r) { return test_ids.count(table.rows[r].fs_id) > 0; });
  return static_cast<int>(before - s.train.size());
}

// Sorted distinct folds; every row must have one.
std::vector<int> folds_present(const FeatureTable& table) {
  std::set<int> folds;
  for (const auto& row : table.rows) {
    if (row.fold == -1)
      fail("split: '{}' has no fold label (kfold and fold_holdout need the official folds)",
           row.slice_file_name);
    folds.insert(row.fold);
  }
  return {folds.begin(), folds.end()};
}

void require_present(const std::vector<int>& wanted, const std::vector<int>& present,
                     const char* key) {
  for (int f : wanted)
    if (!std::binary_search(present.begin(), present.end(), f))
      fail("split.{}: fold {} is not in the table (folds present: {})", key, f, fold_list(present));
}

Split by_folds(const FeatureTable& table, const std::set<int>& train, const std::set<int>& test) {
  Split s;
  for (int i = 0; i < static_cast<int>(table.rows.size()); ++i) {
    const int f = table.rows[i].fold;
    if (test.count(f))
      s.test.push_back(i);
    else if (train.count(f))
      s.train.push_back(i);
  }
  return s;
}

std::vector<Split> kfold_splits(const FeatureTable& table, const SplitOptions& o) {
  const std::vector<int> present = folds_present(table);
  require_present(o.folds, present, "folds");
  std::vector<int> tests = o.folds.empty() ? present : o.folds;
  std::vector<Split> splits;
  for (std::size_t i = 0; i < tests.size(); ++i)
    if (std::find(tests.begin(), tests.begin() + i, tests[i]) != tests.begin() + i)
      fail("split.folds: fold {} is listed twice", tests[i]);
  for (int f : tests) {
    std::set<int> train(present.begin(), present.end());
    train.erase(f);
    Split s = by_folds(table, train, {f});
    s.name = "fold" + std::to_string(f);
    s.test_fold = f;
    splits.push_back(std::move(s));
  }
  return splits;
}

Split holdout_split(const FeatureTable& table, const SplitOptions& o) {
  const std::vector<int> present = folds_present(table);
  if (o.test_folds.empty()) fail("split.test_folds: empty (fold_holdout needs one or more)");
  require_present(o.test_folds, present, "test_folds");
  require_present(o.train_folds, present, "train_folds");
  const std::set<int> test(o.test_folds.begin(), o.test_folds.end());
  std::set<int> train(o.train_folds.begin(), o.train_folds.end());
  for (int f : train)
    if (test.count(f)) fail("split.train_folds: fold {} is also in split.test_folds", f);
  if (train.empty())
    for (int f : present)
      if (!test.count(f)) train.insert(f);
  Split s = by_folds(table, train, test);
  s.name = "holdout";
  return s;
}

}  // namespace

void bind(OptionSchema& schema, SplitOptions& o) {
  schema.choice("kind", o.kind,
                {{"random", SplitKind::random},
                 {"grouped", SplitKind::grouped},
                 {"kfold", SplitKind::kfold},
                 {"fold_holdout", SplitKind::fold_holdout}},
                "how clips are divided between training and test");
  schema.field("test_fraction", o.test_fraction,
               "random, grouped: share of clips in the test set, in (0, 1); test gets ceil(f * n)");
  schema.field("seed", o.seed, "random, grouped: shuffle seed (a Philox key, not numpy's)");
  schema.field("stratify", o.stratify,
               "grouped: keep each class's test share near test_fraction (whole recordings still "
               "move together)");
  schema.field("purge", o.purge,
               "drop from training every clip whose recording (fsID) also has a clip in test: no "
               "leak on any split");
  schema.field("folds", o.folds, "kfold: test folds to run; [] = every fold in the table");
  schema.field("train_folds", o.train_folds,
               "fold_holdout: training folds; [] = every fold not in test_folds");
  schema.field("test_folds", o.test_folds, "fold_holdout: folds held out for testing");
}

std::vector<Split> make_splits(const FeatureTable& table, const SplitOptions& options) {
  if (table.rows.empty()) fail("split: the feature table has no rows");
  if (options.stratify && options.kind != SplitKind::grouped)
    fail("split.stratify: only split=grouped stratifies (random and the folds are as drawn)");
  std::vector<Split> splits;
  switch (options.kind) {
    case SplitKind::random:
      splits.push_back(random_split(table, options));
      break;
    case SplitKind::grouped:
      splits.push_back(grouped_split(table, options));
      break;
    case SplitKind::kfold:
      splits = kfold_splits(table, options);
      break;
    case SplitKind::fold_holdout:
      splits.push_back(holdout_split(table, options));
      break;
  }
  for (Split& s : splits) {
    const LeakFigure before = measure_leak(table, s.train, s.test);
    const int purged = options.purge ? purge_shared_recordings(table, s) : 0;
    if (s.test.empty()) fail("split '{}': the test side is empty", s.name);
    if (s.train.empty())
      fail("split '{}': the training side is empty{}", s.name,
           purged ? " (split.purge dropped every training clip)" : "");
    s.leak = measure_leak(table, s.train, s.test);
    s.leak.purged_train_clips = purged;
    s.leak.test_clips_with_sibling_before_purge = before.test_clips_with_sibling_in_train;
  }
  return splits;
}

LeakFigure measure_leak(const FeatureTable& table, const std::vector<int>& train,
                        const std::vector<int>& test) {
  std::unordered_set<int> train_ids;
  for (int r : train)
    if (table.rows[r].fs_id != -1) train_ids.insert(table.rows[r].fs_id);
  std::unordered_set<int> test_ids;
  LeakFigure leak;
  for (int r : test) {
    const int id = table.rows[r].fs_id;
    ++leak.test_clips;
    if (id == -1) {
      ++leak.test_recordings;  // unknown recording: its own, never a sibling
      continue;
    }
    const bool sibling = train_ids.count(id) > 0;
    leak.test_clips_with_sibling_in_train += sibling;
    if (test_ids.insert(id).second) {
      ++leak.test_recordings;
      leak.test_recordings_in_train += sibling;
    }
  }
  return leak;
}

}  // namespace audify
