// Classification metrics against hand-computed values, with scikit-learn's conventions: a class
// never predicted (precision 0, not NaN), a class absent from the truth, macro-F1 over present
// labels.
#include <gtest/gtest.h>

#include <cmath>

#include <vector>

#include "core/error.h"
#include "experiment/metrics.h"

namespace audify {
namespace {

// 5 classes: 2 is never predicted, 3 is predicted but never true, 4 appears nowhere.
//   truth 0 0 0 1 1 2 2
//   pred  0 0 1 1 0 1 3
const std::vector<int> kTruth = {0, 0, 0, 1, 1, 2, 2};
const std::vector<int> kPred = {0, 0, 1, 1, 0, 1, 3};

TEST(Metrics, HandComputedExample) {
  const ClassificationMetrics m = evaluate(kTruth, kPred, 5);
  EXPECT_EQ(m.count, 7);
  EXPECT_DOUBLE_EQ(m.accuracy, 3.0 / 7.0);
  const std::vector<std::vector<int>> confusion = {
      {2, 1, 0, 0, 0}, {1, 1, 0, 0, 0}, {0, 1, 0, 1, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}};
  EXPECT_EQ(m.confusion, confusion);
  ASSERT_EQ(m.per_class.size(), 5u);
  EXPECT_DOUBLE_EQ(m.per_class[0].precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.per_class[0].recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.per_class[0].f1, 2.0 / 3.0);
  EXPECT_EQ(m.per_class[0].support, 3);
  EXPECT_DOUBLE_EQ(m.per_class[1].precision, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.per_class[1].recall, 0.5);
  EXPECT_DOUBLE_EQ(m.per_class[1].f1, 0.4);  // 2*1 / (2*1 + 2 + 1)
  EXPECT_EQ(m.per_class[1].support, 2);
  // Never predicted: zero_division = 0.
  EXPECT_EQ(m.per_class[2].precision, 0.0);
  EXPECT_EQ(m.per_class[2].recall, 0.0);
  EXPECT_EQ(m.per_class[2].f1, 0.0);
  EXPECT_EQ(m.per_class[2].support, 2);
  // Predicted once, never true.
  EXPECT_EQ(m.per_class[3].precision, 0.0);
  EXPECT_EQ(m.per_class[3].support, 0);
  // Macro over classes 0..3 (present in truth or predictions); class 4 does not count.
  EXPECT_DOUBLE_EQ(m.macro_f1, (2.0 / 3.0 + 0.4 + 0.0 + 0.0) / 4.0);
}

TEST(Metrics, PerfectPredictionsAndEmptyInput) {
  const std::vector<int> y = {0, 1, 2, 2};
  const ClassificationMetrics m = evaluate(y, y, 3);
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(m.macro_f1, 1.0);
  const ClassificationMetrics e = evaluate(std::vector<int>{}, std::vector<int>{}, 3);
  EXPECT_EQ(e.count, 0);
  EXPECT_EQ(e.accuracy, 0.0);
  EXPECT_EQ(e.macro_f1, 0.0);
}

TEST(Metrics, BadInputIsAnError) {
  EXPECT_THROW(evaluate(std::vector<int>{0, 1}, std::vector<int>{0}, 2), Error);
  EXPECT_THROW(evaluate(std::vector<int>{0, 2}, std::vector<int>{0, 1}, 2), Error);
  EXPECT_THROW(evaluate(std::vector<int>{-1}, std::vector<int>{0}, 2), Error);
}

TEST(Metrics, MeanStdIsTheSampleStd) {
  const std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  const MeanStd r = mean_std(v);
  EXPECT_DOUBLE_EQ(r.mean, 5.0);
  EXPECT_NEAR(r.std, std::sqrt(32.0 / 7.0), 1e-12);  // ddof 1 (the population std is 2)
  const MeanStd one = mean_std(std::vector<double>{0.75});
  EXPECT_DOUBLE_EQ(one.mean, 0.75);
  EXPECT_EQ(one.std, 0.0);
  EXPECT_EQ(mean_std(std::vector<double>{}).mean, 0.0);
}

TEST(Metrics, JsonLayout) {
  const ClassificationMetrics m = evaluate(kTruth, kPred, 5);
  const nlohmann::json j = to_json(m, {"air", "car", "dog", "drill"});
  EXPECT_DOUBLE_EQ(j.at("accuracy").get<double>(), 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(j.at("macro_f1").get<double>(), m.macro_f1);
  EXPECT_EQ(j.at("count").get<int>(), 7);
  EXPECT_DOUBLE_EQ(j.at("per_class").at("car").at("f1").get<double>(), 0.4);
  EXPECT_EQ(j.at("per_class").at("dog").at("support").get<int>(), 2);
  EXPECT_TRUE(j.at("per_class").contains("4"));  // unnamed class keyed by id
  EXPECT_EQ(j.at("confusion").at(2).at(3).get<int>(), 1);
  EXPECT_EQ(j.at("confusion").size(), 5u);
}

}  // namespace
}  // namespace audify
