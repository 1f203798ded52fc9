// Small-sample statistics for comparing runs over folds or seeds: the sample mean and standard
// deviation (n - 1), Student's t distribution (CDF and quantile, from the regularised incomplete
// beta function), a 95 % confidence interval of the mean, the paired t-test and the Wilcoxon
// signed-rank test. Written here rather than pulled in because a report needs five functions, and
// each is checked against closed forms and published tables in tests/test_statistics.cpp.
#pragma once

#include <span>

namespace audify::stats {

struct Sample {
  int n = 0;
  double mean = 0;
  double sd = 0;  // sample standard deviation (divides by n - 1); 0 when n < 2
};
Sample describe(std::span<const double> values);

// Student's t distribution with `df` degrees of freedom (df > 0).
double t_cdf(double t, double df);
// The t with t_cdf(t, df) = p, for p in (0, 1).
double t_quantile(double p, double df);

// Two-sided 95 % confidence interval of the mean: mean ± t(0.975, n - 1) * sd / sqrt(n). Half-width
// 0 when n < 2 (no interval can be given).
struct Interval {
  double low = 0, high = 0;
};
Interval mean_ci95(const Sample& s);

// Two-sided tests of "the paired differences have mean (median) zero". p = 1 when there is
// nothing to test (fewer than 2 differences, or all equal to zero).
struct TestResult {
  double statistic = 0;  // t; for Wilcoxon W+, the sum of the ranks of the positive differences
  double p = 1;
  bool exact = false;  // Wilcoxon: the exact null distribution (no ties, n <= 25), else normal
};
// t = mean / (sd / sqrt(n)) with n - 1 degrees of freedom (scipy.stats.ttest_rel).
TestResult paired_t_test(std::span<const double> differences);
// Zero differences are dropped and tied |d| get their mean rank (scipy.stats.wilcoxon's
// zero_method="wilcox"); exact when no |d| ties and n <= 25, else the normal approximation with
// the tie-corrected variance and no continuity correction.
TestResult wilcoxon_signed_rank(std::span<const double> differences);

}  // namespace audify::stats
