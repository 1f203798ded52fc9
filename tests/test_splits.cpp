// Train/test splits: sizes and determinism of the seed's random 70/30, grouped splits that keep
// recordings whole, the official folds, leak figures, option binding and errors; and on the real
// UrbanSound8K table (when shared data exists) the leak that makes random splits flatter models.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "config/options.h"
#include "core/error.h"
#include "data/splits.h"
#include "test_support.h"

namespace audify {
namespace {

// One row per (fsID, fold) pair; file names are "r<row>.wav".
FeatureTable make_table(const std::vector<std::pair<int, int>>& fs_fold) {
  FeatureTable t;
  for (std::size_t i = 0; i < fs_fold.size(); ++i) {
    FeatureRow r;
    r.slice_file_name = "r" + std::to_string(i) + ".wav";
    r.fs_id = fs_fold[i].first;
    r.fold = fs_fold[i].second;
    r.class_id = 0;
    t.rows.push_back(r);
  }
  return t;
}

// n rows, each its own recording, folds 1..10 round robin.
FeatureTable flat_table(int n) {
  std::vector<std::pair<int, int>> v;
  for (int i = 0; i < n; ++i) v.push_back({i, i % 10 + 1});
  return make_table(v);
}

// Recordings of 1..12 slices (as UrbanSound8K's), a few unknown fsIDs.
FeatureTable recording_table() {
  std::vector<std::pair<int, int>> v;
  for (int id = 0; id < 60; ++id)
    for (int s = 0; s < id % 12 + 1; ++s) v.push_back({1000 + id, id % 10 + 1});
  for (int i = 0; i < 5; ++i) v.push_back({-1, 1});
  return make_table(v);
}

void expect_partition(const Split& s, std::size_t n) {
  std::vector<int> all = s.train;
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), n);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(all[i], static_cast<int>(i));
}

std::string error_of(const FeatureTable& t, const SplitOptions& o) {
  try {
    make_splits(t, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Splits, RandomSizesFollowScikitLearn) {
  SplitOptions o;  // random, 0.3
  for (int n : {10, 8732}) {
    const FeatureTable t = flat_table(n);
    const auto splits = make_splits(t, o);
    ASSERT_EQ(splits.size(), 1u);
    EXPECT_EQ(splits[0].test.size(), static_cast<std::size_t>(std::ceil(0.3 * n)));
    expect_partition(splits[0], t.rows.size());
  }
  EXPECT_EQ(make_splits(flat_table(10), o)[0].test.size(), 3u);
  EXPECT_EQ(make_splits(flat_table(8732), o)[0].test.size(), 2620u);
}

TEST(Splits, RandomIsDeterministicPerSeed) {
  const FeatureTable t = flat_table(200);
  SplitOptions o;
  o.seed = 42;
  const auto a = make_splits(t, o), b = make_splits(t, o);
  EXPECT_EQ(a[0].test, b[0].test);
  EXPECT_EQ(a[0].train, b[0].train);
  o.seed = 43;
  const auto c = make_splits(t, o);
  EXPECT_NE(a[0].test, c[0].test);
  // A real shuffle: the test side is not the first 60 rows.
  std::vector<int> sorted = a[0].test;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_GT(sorted.back(), 59);
}

TEST(Splits, GroupedKeepsRecordingsWhole) {
  const FeatureTable t = recording_table();
  const int n = static_cast<int>(t.rows.size());
  const int target = static_cast<int>(std::ceil(0.3 * n));
  SplitOptions o;
  o.kind = SplitKind::grouped;
  std::set<std::vector<int>> distinct;
  for (int seed = 0; seed < 8; ++seed) {
    o.seed = seed;
    const Split s = make_splits(t, o).at(0);
    expect_partition(s, t.rows.size());
    std::set<int> train_ids;
    for (int r : s.train) train_ids.insert(t.rows[r].fs_id);
    for (int r : s.test)
      if (t.rows[r].fs_id != -1) {
        EXPECT_FALSE(train_ids.count(t.rows[r].fs_id)) << "seed " << seed;
      }
    EXPECT_EQ(s.leak.test_clips_with_sibling_in_train, 0);
    EXPECT_EQ(s.leak.test_recordings_in_train, 0);
    // Stops at the first recording that reaches the target: overshoot < 12 (the largest).
    EXPECT_GE(static_cast<int>(s.test.size()), target);
    EXPECT_LT(static_cast<int>(s.test.size()), target + 12);
    EXPECT_EQ(make_splits(t, o)[0].test, s.test);
    distinct.insert(s.test);
  }
  EXPECT_GT(distinct.size(), 4u);
}

TEST(Splits, KfoldTestsEveryRowOnce) {
  const FeatureTable t = flat_table(95);
  SplitOptions o;
  o.kind = SplitKind::kfold;
  const auto splits = make_splits(t, o);
  ASSERT_EQ(splits.size(), 10u);
  std::vector<int> tested(t.rows.size(), 0);
  for (std::size_t k = 0; k < splits.size(); ++k) {
    EXPECT_EQ(splits[k].test_fold, static_cast<int>(k) + 1);
    EXPECT_EQ(splits[k].name, "fold" + std::to_string(k + 1));
    expect_partition(splits[k], t.rows.size());
    for (int r : splits[k].test) {
      ++tested[r];
      EXPECT_EQ(t.rows[r].fold, splits[k].test_fold);
    }
    for (int r : splits[k].train) EXPECT_NE(t.rows[r].fold, splits[k].test_fold);
  }
  for (int c : tested) EXPECT_EQ(c, 1);

  o.folds = {1, 3};
  const auto two = make_splits(t, o);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].test_fold, 1);
  EXPECT_EQ(two[1].test_fold, 3);
  o.folds = {11};
  const std::string e = error_of(t, o);
  EXPECT_NE(e.find("split.folds"), std::string::npos) << e;
  EXPECT_NE(e.find("11"), std::string::npos) << e;
}

TEST(Splits, FoldHoldout) {
  const FeatureTable t = flat_table(100);
  SplitOptions o;
  o.kind = SplitKind::fold_holdout;  // test_folds = {10}, train = the rest
  const auto s = make_splits(t, o);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].test.size(), 10u);
  EXPECT_EQ(s[0].train.size(), 90u);
  for (int r : s[0].test) EXPECT_EQ(t.rows[r].fold, 10);

  o.train_folds = {1, 2};
  o.test_folds = {3, 4};
  const Split h = make_splits(t, o).at(0);
  EXPECT_EQ(h.train.size(), 20u);
  EXPECT_EQ(h.test.size(), 20u);
  for (int r : h.train) EXPECT_LE(t.rows[r].fold, 2);

  o.train_folds = {1, 3};
  EXPECT_NE(error_of(t, o).find("fold 3"), std::string::npos) << error_of(t, o);
  o.train_folds = {};
  o.test_folds = {12};
  EXPECT_NE(error_of(t, o).find("split.test_folds: fold 12"), std::string::npos);
}

TEST(Splits, LeakFigureCountsSiblings) {
  // train: fsIDs 1 1 2 3 -1; test: 1 2 4 4 -1 -1
  const FeatureTable t = make_table(
      {{1, 1}, {1, 1}, {2, 1}, {3, 1}, {-1, 1}, {1, 2}, {2, 2}, {4, 2}, {4, 2}, {-1, 2}, {-1, 2}});
  const LeakFigure leak = measure_leak(t, {0, 1, 2, 3, 4}, {5, 6, 7, 8, 9, 10});
  EXPECT_EQ(leak.test_clips, 6);
  EXPECT_EQ(leak.test_clips_with_sibling_in_train, 2);
  EXPECT_EQ(leak.test_recordings, 5);  // 1, 2, 4 and two unknown recordings
  EXPECT_EQ(leak.test_recordings_in_train, 2);
  EXPECT_DOUBLE_EQ(leak.clip_fraction(), 2.0 / 6.0);

  SplitOptions o;
  o.kind = SplitKind::fold_holdout;
  o.test_folds = {2};
  const Split s = make_splits(t, o).at(0);
  EXPECT_EQ(s.leak.test_clips_with_sibling_in_train, 2);
}

// Recordings of 1..9 slices over 4 classes; class 3's recordings are the large ones, so that an
// unstratified grouped split drifts from 30 % on some classes.
FeatureTable class_table() {
  FeatureTable t;
  for (int id = 0; id < 240; ++id)
    for (int s = 0; s < (id % 4 == 3 ? 9 : id % 3 + 1); ++s) {
      FeatureRow r;
      r.slice_file_name = fmt::format("{}-{}.wav", id, s);
      r.fs_id = id;
      r.fold = id % 10 + 1;
      r.class_id = id % 4;
      t.rows.push_back(r);
    }
  return t;
}

// The largest distance of a class's test share from the fraction.
double worst_class_gap(const FeatureTable& t, const Split& s, double fraction) {
  std::vector<int> all(4, 0), test(4, 0);
  for (const FeatureRow& r : t.rows) ++all[r.class_id];
  for (int r : s.test) ++test[t.rows[r].class_id];
  double worst = 0;
  for (int c = 0; c < 4; ++c)
    worst = std::max(worst, std::abs(double(test[c]) / all[c] - fraction));
  return worst;
}

TEST(Splits, StratifiedGroupedKeepsEachClassNearTheFraction) {
  const FeatureTable t = class_table();
  SplitOptions o;
  o.kind = SplitKind::grouped;
  double plain_worst = 0, stratified_worst = 0;
  for (int seed = 0; seed < 10; ++seed) {
    o.seed = seed;
    o.stratify = false;
    plain_worst = std::max(plain_worst, worst_class_gap(t, make_splits(t, o)[0], 0.3));
    o.stratify = true;
    const Split s = make_splits(t, o)[0];
    expect_partition(s, t.rows.size());
    EXPECT_EQ(s.leak.test_clips_with_sibling_in_train, 0) << seed;  // recordings stay whole
    stratified_worst = std::max(stratified_worst, worst_class_gap(t, s, 0.3));
    EXPECT_NEAR(double(s.test.size()) / t.rows.size(), 0.3, 0.02) << seed;
  }
  // Each class's share is within half a large recording (9 of 540 clips) of 30 %.
  EXPECT_LT(stratified_worst, 0.01);
  EXPECT_GT(plain_worst, 2 * stratified_worst);
  // Seeds still draw different splits.
  o.seed = 0;
  const Split a = make_splits(t, o)[0];
  o.seed = 1;
  EXPECT_NE(a.test, make_splits(t, o)[0].test);
  // Only grouped stratifies.
  o.kind = SplitKind::random;
  EXPECT_NE(error_of(t, o).find("split.stratify"), std::string::npos);
}

TEST(Splits, PurgeDropsTrainingClipsOfTestRecordings) {
  // Recording 1 sits in folds 1 and 2, recording 2 in folds 2 and 3; 3 only in fold 3.
  const FeatureTable t = make_table({{1, 1}, {1, 1}, {1, 2}, {2, 2}, {2, 3}, {3, 3}, {3, 3}});
  SplitOptions o;
  o.kind = SplitKind::kfold;
  const std::vector<Split> leaky = make_splits(t, o);
  ASSERT_EQ(leaky.size(), 3u);
  EXPECT_EQ(leaky[1].leak.test_clips_with_sibling_in_train, 2);  // fold 2: both recordings
  EXPECT_EQ(leaky[1].leak.purged_train_clips, 0);
  o.purge = true;
  const std::vector<Split> purged = make_splits(t, o);
  const std::vector<std::vector<int>> train = {{3, 4, 5, 6}, {5, 6}, {0, 1, 2}};
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(purged[k].train, train[k]) << purged[k].name;
    EXPECT_EQ(purged[k].test, leaky[k].test);
    EXPECT_EQ(purged[k].leak.test_clips_with_sibling_in_train, 0);
    EXPECT_EQ(purged[k].leak.test_clips_with_sibling_before_purge,
              leaky[k].leak.test_clips_with_sibling_in_train);
  }
  EXPECT_EQ(purged[1].leak.purged_train_clips, 3);  // rows 0, 1 (recording 1) and 4 (recording 2)
  EXPECT_DOUBLE_EQ(purged[1].leak.clip_fraction_before_purge(), 1.0);
}

TEST(Splits, BadOptionsAreErrorsNamingTheKey) {
  const FeatureTable t = flat_table(10);
  SplitOptions o;
  for (double f : {0.0, 1.0, -0.1, 1.5}) {
    o.test_fraction = f;
    EXPECT_NE(error_of(t, o).find("split.test_fraction"), std::string::npos) << f;
  }
  // Too few rows for both sides.
  o.test_fraction = 0.01;
  EXPECT_EQ(make_splits(flat_table(2), o)[0].test.size(), 1u);
  o.test_fraction = 0.99;
  EXPECT_NE(error_of(flat_table(2), o).find("training side is empty"), std::string::npos);
  // One fold only: nothing to train on.
  SplitOptions k;
  k.kind = SplitKind::kfold;
  EXPECT_NE(error_of(make_table({{1, 4}, {2, 4}}), k).find("empty"), std::string::npos);
  // Unknown fold labels.
  const FeatureTable unlabeled = make_table({{1, 1}, {2, -1}, {3, 2}});
  const std::string e = error_of(unlabeled, k);
  EXPECT_NE(e.find("r1.wav"), std::string::npos) << e;
  SplitOptions r;  // random ignores folds
  EXPECT_NO_THROW(make_splits(unlabeled, r));
}

TEST(Splits, BindReadsEveryKeyOfTheConfigs) {
  const std::filesystem::path dir = std::filesystem::path(AUDIFY_SOURCE_DIR) / "configs/split";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    SplitOptions o;
    OptionSchema schema("split");
    bind(schema, o);
    EXPECT_NO_THROW(schema.apply(toml::parse_file(entry.path().string()), entry.path().string()))
        << entry.path();
    ++files;
  }
  EXPECT_GE(files, 4);

  SplitOptions o;
  OptionSchema schema("split");
  bind(schema, o);
  schema.apply(
      toml::parse("kind = \"grouped\"\ntest_fraction = 0.25\nseed = 7\nfolds = [2]\n"
                  "train_folds = [1]\ntest_folds = [3, 4]\nstratify = true\npurge = true\n"),
      "inline");
  EXPECT_TRUE(o.stratify);
  EXPECT_TRUE(o.purge);
  EXPECT_EQ(o.kind, SplitKind::grouped);
  EXPECT_EQ(o.test_fraction, 0.25);
  EXPECT_EQ(o.seed, 7);
  EXPECT_EQ(o.folds, std::vector<int>{2});
  EXPECT_EQ(o.train_folds, std::vector<int>{1});
  EXPECT_EQ(o.test_folds, (std::vector<int>{3, 4}));
  EXPECT_EQ(schema.to_table()["kind"].value<std::string>(), "grouped");
  try {
    schema.apply(toml::parse("kind = \"stratified\"\n"), "inline");
    ADD_FAILURE() << "bad kind accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("split.kind"), std::string::npos) << e.what();
  }
  EXPECT_THROW(schema.apply(toml::parse("sead = 1\n"), "inline"), Error);
}

TEST(Splits, RealUrbanSound8kLeak) {
  const auto path = test::shared_path("data/urbansound8k-features/mfcc40_mean_kaiser_fast.csv");
  if (!path) GTEST_SKIP() << "no shared UrbanSound8K feature table";
  const FeatureTable t = read_feature_table(*path);
  ASSERT_EQ(t.rows.size(), 8732u);

  SplitOptions o;
  const Split r = make_splits(t, o).at(0);
  std::printf(
      "random 70/30: %d/%d test clips (%.1f %%) have a sibling in train; %d/%d recordings\n",
      r.leak.test_clips_with_sibling_in_train, r.leak.test_clips, 100 * r.leak.clip_fraction(),
      r.leak.test_recordings_in_train, r.leak.test_recordings);
  EXPECT_EQ(r.test.size(), 2620u);
  EXPECT_GT(r.leak.clip_fraction(), 0.9);

  o.kind = SplitKind::grouped;
  const Split g = make_splits(t, o).at(0);
  std::printf("grouped 70/30: %d test clips (%.2f %%), %d recordings, leak %d\n", g.leak.test_clips,
              100.0 * g.leak.test_clips / 8732, g.leak.test_recordings,
              g.leak.test_clips_with_sibling_in_train);
  EXPECT_EQ(g.leak.test_clips_with_sibling_in_train, 0);
  EXPECT_GE(g.test.size(), 2620u);

  o.kind = SplitKind::kfold;
  const auto folds = make_splits(t, o);
  ASSERT_EQ(folds.size(), 10u);
  const std::vector<std::size_t> sizes = {873, 888, 925, 990, 936, 823, 838, 806, 816, 837};
  o.purge = true;
  const auto purged = make_splits(t, o);
  for (std::size_t k = 0; k < 10; ++k) {
    EXPECT_EQ(purged[k].leak.test_clips_with_sibling_in_train, 0) << purged[k].name;
    EXPECT_EQ(purged[k].leak.test_clips_with_sibling_before_purge,
              folds[k].leak.test_clips_with_sibling_in_train);
    std::printf("%s purged: %d training clips dropped\n", purged[k].name.c_str(),
                purged[k].leak.purged_train_clips);
  }
  // Fold 1 leaks 91 of its 873 test clips (five recordings span two folds) until purged.
  EXPECT_EQ(folds[0].leak.test_clips_with_sibling_in_train, 91);
  for (std::size_t k = 0; k < 10; ++k) {
    EXPECT_EQ(folds[k].test.size(), sizes[k]) << folds[k].name;
    std::printf("%s: %zu test clips, %d with a sibling in train\n", folds[k].name.c_str(),
                folds[k].test.size(), folds[k].leak.test_clips_with_sibling_in_train);
  }
}

}  // namespace
}  // namespace audify
