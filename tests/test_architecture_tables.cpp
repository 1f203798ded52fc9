// The report's architectures table and paired differences (report/architecture_tables.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "report/architecture_tables.h"
#include "report/study_table.h"
#include "report/test_sets.h"
#include "test_support.h"

namespace audify {
namespace {

RunResults run(const std::string& label, const std::string& kind, std::vector<double> folds,
               long long parameters = 0) {
  RunResults r;
  r.label = label;
  r.model_kind = kind;
  r.split_kind = "kfold";
  r.data_source = "data/x";
  r.clips = 100;
  r.parameters = parameters;
  r.seconds_train = 30;
  double sum = 0;
  for (std::size_t i = 0; i < folds.size(); ++i) {
    FoldScore f;
    f.name = "fold" + std::to_string(i + 1);
    f.train_accuracy = 0.9;
    f.test_accuracy = folds[i];
    r.folds.push_back(f);
    sum += folds[i];
  }
  r.test_accuracy = sum / static_cast<double>(folds.size());
  return r;
}

TEST(ArchitectureTables, OneRowPerRunWithParametersFoldsAndTimePerFold) {
  RunResults cnn = run("cnn_run", "sb_cnn", {0.70, 0.80, 0.75}, 241434);
  cnn.augmentation = "mixup α 0.2";
  RunResults svm = run("svm_run", "svm_rbf", {0.60, 0.65, 0.70});
  svm.augmentation = "—";
  const Table t = architectures_table({&cnn, &svm});
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][2], "mixup α 0.2");
  EXPECT_EQ(t.rows[1][2], "—");
  EXPECT_EQ(t.rows[0][3], "241434");
  EXPECT_EQ(t.rows[1][3], "—");
  EXPECT_EQ(t.rows[0][5], "75.00 ± 5.00 [62.58, 87.42]");  // sample sd, Student t CI
  EXPECT_EQ(t.rows[0][6], "70.00, 80.00, 75.00");
  EXPECT_EQ(t.rows[0][7], "10.0");  // 30 s over 3 folds
}

TEST(ArchitectureTables, PairedDifferencesOnlyForIdenticalFolds) {
  const RunResults a = run("a", "mlp", {0.50, 0.60, 0.55});
  const RunResults b = run("b", "sb_cnn", {0.60, 0.65, 0.70});  // +10, +5, +15 points
  RunResults other = run("c", "svm_rbf", {0.5, 0.5, 0.5});
  other.data_source = "elsewhere";
  const Table t = paired_differences_table({&a, &b, &other});
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][1], "3");
  EXPECT_EQ(t.rows[0][2], "+10.00, +5.00, +15.00");
  // sd 5 (n - 1), CI 10 ± 4.3027 * 5 / sqrt 3 = [-2.42, 22.42].
  EXPECT_EQ(t.rows[0][3], "10.00 ± 5.00 [-2.42, 22.42]");
  EXPECT_EQ(t.rows[0][4], "3.46 (2)");  // 10 / (5 / sqrt 3), 2 degrees of freedom
  // Two-sided p on 2 df has the closed form 1 - t / sqrt(2 + t^2) = 1 - sqrt(12 / 14).
  EXPECT_EQ(t.rows[0][5], "0.074");
  EXPECT_EQ(t.rows[0][6], "0.250 (exact)");  // all 3 positive: 2 of 8 sign patterns
  EXPECT_EQ(t.rows[0][7], "3 of 3");
}

// A multirun point of `multirun` with the given swept values, tested on `test_set`.
RunResults point(const std::string& multirun, const std::string& kind, const std::string& seed,
                 double accuracy, const std::string& test_set) {
  RunResults r = run(multirun + "/" + kind + "_seed=" + seed, kind, {accuracy});
  r.split_kind = "grouped";
  r.folds[0].name = "grouped";
  r.folds[0].test_set = test_set;
  r.dir = std::filesystem::path("out") / multirun / (kind + "_seed=" + seed);
  r.swept = {{"model", kind}, {"seed", seed}};
  r.overrides = {{"split", "grouped"}, {"model", kind}, {"seed", seed}, {"output_root", "out"}};
  return r;
}

// The seeds of one multirun point are one configuration: mean ± sd over the seeds, each seed's
// value; two configurations pair only on splits that tested the same clips.
TEST(ArchitectureTables, SeedsOfAPointAreOneConfigurationPairedBySplitContents) {
  const RunResults mlp0 = point("m", "mlp", "0", 0.30, "split0"),
                   mlp1 = point("m", "mlp", "1", 0.40, "split1"),
                   mlp2 = point("m", "mlp", "2", 0.50, "split2");
  const RunResults cnn1 = point("m", "sb_cnn", "1", 0.45, "split1"),
                   cnn0 = point("m", "sb_cnn", "0", 0.40, "split0"),
                   cnn2 = point("m", "sb_cnn", "2", 0.65, "split2");
  // Same fold name and class counts, other clips: a different seed's split must not pair.
  const RunResults svm = point("n", "svm_rbf", "7", 0.90, "split7");
  const std::vector<const RunResults*> runs{&mlp0, &mlp1, &mlp2, &cnn1, &cnn0, &cnn2, &svm};
  const std::vector<ReplicateGroup> groups = replicate_groups(runs);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[1].runs.front(), &cnn0);  // in seed order
  const Table t = architectures_table(runs);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0][0], "model=mlp (m), 3 seeds");  // what differs, not where it went
  EXPECT_EQ(groups[0].name, "mlp");
  EXPECT_EQ(t.rows[0][5], "40.00 ± 10.00 [15.16, 64.84]");
  EXPECT_EQ(t.rows[1][6], "40.00, 45.00, 65.00");
  EXPECT_EQ(t.rows[2][0], "model=svm_rbf (n/svm_rbf_seed=7)");  // one seed: the point itself
  const Table paired = paired_differences_table(runs);
  ASSERT_EQ(paired.rows.size(), 1u);
  EXPECT_EQ(paired.rows[0][1], "3");
  EXPECT_EQ(paired.rows[0][2], "+10.00, +5.00, +15.00");
  EXPECT_EQ(paired.rows[0][7], "3 of 3");
}

// The study's first table: protocols as rows in a fixed order, models as columns, the leak per row.
TEST(StudyTable, ProtocolByModelWithLeak) {
  RunResults random_mlp = run("r_mlp", "mlp", {0.90});
  random_mlp.split_kind = "random";
  random_mlp.leak_fraction = 1.0;
  RunResults random_svm = run("r_svm", "svm_rbf", {0.80});
  random_svm.split_kind = "random";
  random_svm.leak_fraction = 1.0;
  const RunResults folds_mlp = run("k_mlp", "mlp", {0.40, 0.50, 0.45});
  const Table t = study_table({&folds_mlp, &random_mlp, &random_svm});
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], "random 70/30 (the seed's protocol)");
  EXPECT_EQ(t.rows[0][1], "100.0");
  EXPECT_EQ(t.rows[0][2], "90.00");
  EXPECT_EQ(t.rows[0][3], "80.00");
  EXPECT_EQ(t.rows[1][1], "0.0");
  EXPECT_EQ(t.rows[1][2], "45.00 ± 5.00 [32.58, 57.42]");
  EXPECT_EQ(t.rows[1][3], "—");
  // One protocol alone is no study.
  EXPECT_TRUE(study_table({&random_mlp, &random_svm}).rows.empty());
}

// predictions.csv lists each split's test clips in turn; a split's digest is of its set of clips.
TEST(TestSets, OneDigestPerSplitOrderFree) {
  const test::TempDir dir("test_sets");
  const auto write = [&](const std::string& name, const std::string& body) {
    const std::filesystem::path p = dir.path() / name;
    std::ofstream(p) << "file,fold,true\n" << body;
    return p;
  };
  const auto a = test_set_digests(write("a.csv", "x.wav,1,0\ny.wav,1,0\nz.wav,1,1\n"), {2, 1});
  const auto b = test_set_digests(write("b.csv", "y.wav,1,0\nx.wav,1,0\nz.wav,1,1\n"), {2, 1});
  const auto c = test_set_digests(write("c.csv", "x.wav,1,0\nz.wav,1,0\ny.wav,1,1\n"), {2, 1});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NE(a[0], a[1]);
  EXPECT_EQ(a, b);        // the order inside a split does not matter
  EXPECT_NE(a[0], c[0]);  // its clips do
  EXPECT_TRUE(test_set_digests(dir.path() / "a.csv", {2, 2}).empty());  // rows do not add up
  EXPECT_TRUE(test_set_digests(dir.path() / "absent.csv", {3}).empty());
}

}  // namespace
}  // namespace audify
