// The incomplete beta function by Lentz's continued fraction (Numerical Recipes, 3rd ed., 6.4),
// which converges in a few dozen terms for the t distribution's arguments.
#include "core/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace audify::stats {
namespace {

double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300, kEps = 1e-15;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  return h;
}

// I_x(a, b), the regularised incomplete beta function.
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

double normal_two_sided_p(double z) {
  return std::erfc(std::fabs(z) / std::sqrt(2.0));
}

// Ranks 1..n of |values| (ascending), ties sharing their mean rank; `ties` is set when any tie.
std::vector<double> abs_ranks(std::span<const double> values, bool& ties) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::fabs(values[a]) < std::fabs(values[b]);
  });
  std::vector<double> ranks(values.size());
  ties = false;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && std::fabs(values[order[j + 1]]) == std::fabs(values[order[i]]))
      ++j;
    if (j > i) ties = true;
    const double mean_rank = (static_cast<double>(i + j) + 2) / 2;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = mean_rank;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

Sample describe(std::span<const double> values) {
  Sample s;
  s.n = static_cast<int>(values.size());
  if (values.empty()) return s;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / s.n;
  if (s.n < 2) return s;
  double ss = 0;
  for (double v : values) ss += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(ss / (s.n - 1));
  return s;
}

double t_cdf(double t, double df) {
  const double tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

double t_quantile(double p, double df) {
  if (p == 0.5) return 0;
  if (p < 0.5) return -t_quantile(1 - p, df);
  double low = 0, high = 1;
  while (t_cdf(high, df) < p && high < 1e12) high *= 2;
  for (int i = 0; i < 200 && high - low > 1e-12 * std::max(1.0, high); ++i) {
    const double mid = (low + high) / 2;
    (t_cdf(mid, df) < p ? low : high) = mid;
  }
  return (low + high) / 2;
}

Interval mean_ci95(const Sample& s) {
  if (s.n < 2) return {s.mean, s.mean};
  const double half = t_quantile(0.975, s.n - 1) * s.sd / std::sqrt(static_cast<double>(s.n));
  return {s.mean - half, s.mean + half};
}

TestResult paired_t_test(std::span<const double> differences) {
  const Sample s = describe(differences);
  TestResult r;
  if (s.n < 2) return r;
  if (s.sd == 0) {
    if (s.mean != 0) r.p = 0;  // every fold moved by the same nonzero amount
    return r;
  }
  r.statistic = s.mean / (s.sd / std::sqrt(static_cast<double>(s.n)));
  r.p = std::min(1.0, 2 * t_cdf(-std::fabs(r.statistic), s.n - 1));
  return r;
}

TestResult wilcoxon_signed_rank(std::span<const double> differences) {
  std::vector<double> nonzero;
  for (double d : differences)
    if (d != 0) nonzero.push_back(d);
  TestResult r;
  const int n = static_cast<int>(nonzero.size());
  if (n == 0) return r;
  bool ties = false;
  const std::vector<double> ranks = abs_ranks(nonzero, ties);
  for (int i = 0; i < n; ++i)
    if (nonzero[i] > 0) r.statistic += ranks[i];
  const double total = n * (n + 1) / 2.0;
  if (!ties && n <= 25) {
    // counts[w] = sign patterns whose positive ranks sum to w, ranks 1..n.
    std::vector<double> counts(static_cast<std::size_t>(total) + 1, 0.0);
    counts[0] = 1;
    for (int k = 1; k <= n; ++k)
      for (int w = static_cast<int>(total); w >= k; --w) counts[w] += counts[w - k];
    const int w_min = static_cast<int>(std::min(r.statistic, total - r.statistic) + 0.5);
    double tail = 0;
    for (int w = 0; w <= w_min; ++w) tail += counts[w];
    r.p = std::min(1.0, 2 * tail / std::ldexp(1.0, n));
    r.exact = true;
    return r;
  }
  double tie_term = 0;  // sum of t^3 - t over groups of tied |d|
  std::vector<double> sorted = ranks;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  const double mean = total / 2;
  const double var = n * (n + 1.0) * (2.0 * n + 1) / 24 - tie_term / 48;
  r.p = var > 0 ? normal_two_sided_p((r.statistic - mean) / std::sqrt(var)) : 1.0;
  return r;
}

}  // namespace audify::stats
