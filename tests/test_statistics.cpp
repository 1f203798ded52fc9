// core/statistics: Student's t against its closed forms (df 1 and 2) and printed tables, the
// confidence interval, the paired t-test and the Wilcoxon signed-rank test against values worked
// out by hand (the same figures scipy.stats prints for these inputs).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/statistics.h"

namespace audify::stats {
namespace {

TEST(Statistics, SampleStdDividesByNMinusOne) {
  const std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};  // population sd 2, sample sd sqrt(32/7)
  const Sample s = describe(x);
  EXPECT_EQ(s.n, 8);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.sd, std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_EQ(describe(std::vector<double>{3.0}).sd, 0.0);
}

TEST(Statistics, TCdfMatchesClosedForms) {
  for (double t : {-30.0, -3.0, -1.0, -0.2, 0.0, 0.5, 1.0, 2.5, 12.0}) {
    EXPECT_NEAR(t_cdf(t, 1), 0.5 + std::atan(t) / std::numbers::pi, 1e-12) << t;  // Cauchy
    EXPECT_NEAR(t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-12) << t;
  }
  // Large df tends to the normal distribution.
  EXPECT_NEAR(t_cdf(1.959963985, 1e7), 0.975, 1e-6);
}

TEST(Statistics, TQuantileMatchesTables) {
  EXPECT_NEAR(t_quantile(0.975, 1), 12.7062047, 1e-6);
  EXPECT_NEAR(t_quantile(0.975, 2), 4.3026527, 1e-6);
  EXPECT_NEAR(t_quantile(0.975, 4), 2.7764451, 1e-6);
  EXPECT_NEAR(t_quantile(0.975, 9), 2.2621572, 1e-6);
  EXPECT_NEAR(t_quantile(0.975, 29), 2.0452296, 1e-6);
  EXPECT_NEAR(t_quantile(0.025, 9), -2.2621572, 1e-6);
}

TEST(Statistics, ConfidenceIntervalUsesStudentT) {
  const std::vector<double> x = {1, 2, 3};  // mean 2, sd 1, t(0.975, 2) = 4.3026527
  const Interval ci = mean_ci95(describe(x));
  EXPECT_NEAR(ci.low, 2 - 4.3026527 / std::sqrt(3.0), 1e-6);
  EXPECT_NEAR(ci.high, 2 + 4.3026527 / std::sqrt(3.0), 1e-6);
  const Interval one = mean_ci95(describe(std::vector<double>{0.7}));
  EXPECT_EQ(one.low, 0.7);
  EXPECT_EQ(one.high, 0.7);
}

TEST(Statistics, PairedTTest) {
  // d = 1, 2, 3: t = 2 / (1 / sqrt 3) = sqrt 12 on 2 df, p = 1 - t / sqrt(2 + t^2) exactly.
  const TestResult r = paired_t_test(std::vector<double>{1, 2, 3});
  EXPECT_NEAR(r.statistic, std::sqrt(12.0), 1e-12);
  EXPECT_NEAR(r.p, 1 - std::sqrt(12.0) / std::sqrt(14.0), 1e-10);
  // d = 1..5: t = 4.2426407 on 4 df, p = 0.0132356 (scipy.stats.ttest_1samp).
  const TestResult five = paired_t_test(std::vector<double>{1, 2, 3, 4, 5});
  EXPECT_NEAR(five.statistic, 4.2426407, 1e-6);
  EXPECT_NEAR(five.p, 0.0132356, 1e-6);
  // Symmetric differences: no evidence either way.
  EXPECT_NEAR(paired_t_test(std::vector<double>{-2, -1, 1, 2}).p, 1.0, 1e-12);
  EXPECT_EQ(paired_t_test(std::vector<double>{0, 0, 0}).p, 1.0);
  EXPECT_EQ(paired_t_test(std::vector<double>{4.0}).p, 1.0);
}

TEST(Statistics, WilcoxonExact) {
  // Every one of 5 differences positive: 1 of the 32 sign patterns is as extreme, twice.
  TestResult r = wilcoxon_signed_rank(std::vector<double>{0.5, 1, 2, 3, 4});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.statistic, 15);
  EXPECT_DOUBLE_EQ(r.p, 2.0 / 32);
  // The smallest one negative: W+ = 14; W- = 1 or less has 2 patterns, so p = 4 / 32.
  r = wilcoxon_signed_rank(std::vector<double>{-1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(r.statistic, 14);
  EXPECT_DOUBLE_EQ(r.p, 4.0 / 32);
  // A zero is dropped (n = 5 again).
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank(std::vector<double>{0, -1, 2, 3, 4, 5}).p, 4.0 / 32);
}

TEST(Statistics, WilcoxonNormalApproximationWithTies) {
  // |d| = 1, 1, 2, 2, 3, 3: ranks 1.5, 1.5, 3.5, 3.5, 5.5, 5.5; W+ = 1.5 + 3.5 + 5.5 + 5.5 = 16
  // (the -1 and -2 are negative); mean 10.5, variance 6*7*13/24 - 3*(8-2)/48 = 22.375.
  const TestResult r = wilcoxon_signed_rank(std::vector<double>{1, -1, 2, -2, 3, 3});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.statistic, 16);
  const double z = (16 - 10.5) / std::sqrt(22.375);
  EXPECT_NEAR(r.p, std::erfc(z / std::sqrt(2.0)), 1e-12);
}

}  // namespace
}  // namespace audify::stats
