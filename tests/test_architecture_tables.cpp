// The report's architectures table and paired differences (report/architecture_tables.h).
#include <gtest/gtest.h>

#include "report/architecture_tables.h"
#include "report/study_table.h"

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
  const RunResults cnn = run("cnn_run", "sb_cnn", {0.70, 0.80, 0.75}, 241434);
  const RunResults svm = run("svm_run", "svm_rbf", {0.60, 0.65, 0.70});
  const Table t = architectures_table({&cnn, &svm});
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][2], "241434");
  EXPECT_EQ(t.rows[1][2], "—");
  EXPECT_EQ(t.rows[0][4], "75.00 ± 5.00 [62.58, 87.42]");  // sample sd, Student t CI
  EXPECT_EQ(t.rows[0][5], "70.00, 80.00, 75.00");
  EXPECT_EQ(t.rows[0][6], "10.0");  // 30 s over 3 folds
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

}  // namespace
}  // namespace audify
