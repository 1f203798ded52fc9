// Salamon 2014 summary statistics: each statistic against a plain double-precision reference, the
// Savitzky-Golay delta against hand-computed and scipy.signal.savgol_filter values, and the
// `features.stats` options (columns, validation, the salamon2014 feature set).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/error.h"
#include "features/feature_options.h"
#include "features/summary_stats.h"

namespace audify {
namespace {

Matrix random_matrix(std::size_t rows, std::size_t cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::gamma_distribution<float> skewed(2.0f, 3.0f);  // asymmetric, so skew/kurtosis are not ~0
  Matrix m(rows, cols);
  for (float& v : m.data) v = skewed(rng) - 5.0f;
  return m;
}

Matrix column_vector(const std::vector<double>& x) {
  Matrix m(x.size(), 1);
  for (std::size_t i = 0; i < x.size(); ++i) m(i, 0) = static_cast<float>(x[i]);
  return m;
}

// The textbook definitions, written independently of the implementation.
double ref_stat(std::vector<double> x, Stat s) {
  const double n = static_cast<double>(x.size());
  double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  auto central = [&](int k) {
    double acc = 0;
    for (double v : x) acc += std::pow(v - mean, k);
    return acc / n;
  };
  switch (s) {
    case Stat::min:
      return *std::min_element(x.begin(), x.end());
    case Stat::max:
      return *std::max_element(x.begin(), x.end());
    case Stat::median: {
      std::sort(x.begin(), x.end());
      const std::size_t h = x.size() / 2;
      return x.size() % 2 ? x[h] : (x[h - 1] + x[h]) / 2;
    }
    case Stat::mean:
      return mean;
    case Stat::var:
      return central(2);
    case Stat::skew:
      return central(3) / std::pow(central(2), 1.5);
    case Stat::kurtosis:
      return central(4) / (central(2) * central(2)) - 3.0;
    default:
      ADD_FAILURE() << "not a plain statistic";
      return 0;
  }
}

TEST(SummaryStats, PlainStatisticsMatchReference) {
  for (std::size_t rows : {37u, 40u, 1u + 172u}) {  // odd and even counts (median)
    const Matrix m = random_matrix(rows, 5, static_cast<unsigned>(rows));
    const std::vector<Stat> stats = {Stat::min, Stat::max,  Stat::median,  Stat::mean,
                                     Stat::var, Stat::skew, Stat::kurtosis};
    const std::vector<float> row = summary_stats(m, stats);
    ASSERT_EQ(row.size(), stats.size() * m.cols);
    for (std::size_t k = 0; k < stats.size(); ++k)
      for (std::size_t c = 0; c < m.cols; ++c) {
        std::vector<double> x;
        for (std::size_t t = 0; t < m.rows; ++t) x.push_back(m(t, c));
        const double want = ref_stat(x, stats[k]);
        EXPECT_NEAR(row[k * m.cols + c], want, 1e-5 * std::max(1.0, std::abs(want)))
            << stat_name(stats[k]) << " rows=" << rows << " col=" << c;
      }
  }
}

TEST(SummaryStats, DerivativeStatisticsAreMeanAndVarOfDelta) {
  const Matrix m = random_matrix(50, 4, 7);
  const std::vector<Stat> stats = {Stat::d1_mean, Stat::d1_var, Stat::d2_mean, Stat::d2_var};
  const std::vector<float> row = summary_stats(m, stats);
  const Matrix d1 = delta(m, 1), d2 = delta(m, 2);
  for (std::size_t c = 0; c < m.cols; ++c) {
    std::vector<double> x1, x2;
    for (std::size_t t = 0; t < m.rows; ++t) {
      x1.push_back(d1(t, c));
      x2.push_back(d2(t, c));
    }
    EXPECT_NEAR(row[0 * 4 + c], ref_stat(x1, Stat::mean), 1e-5);
    EXPECT_NEAR(row[1 * 4 + c], ref_stat(x1, Stat::var), 1e-5);
    EXPECT_NEAR(row[2 * 4 + c], ref_stat(x2, Stat::mean), 1e-5);
    EXPECT_NEAR(row[3 * 4 + c], ref_stat(x2, Stat::var), 1e-5);
  }
}

TEST(SummaryStats, ConstantColumnHasZeroSkewAndKurtosis) {
  const Matrix m(20, 2, -100.0f);  // digital silence after power_to_db
  const std::vector<Stat> stats = {Stat::var, Stat::skew, Stat::kurtosis, Stat::d1_var};
  for (float v : summary_stats(m, stats)) EXPECT_EQ(v, 0.0f);
}

TEST(Delta, HandComputedQuadratic) {
  // y = t^2 over 12 frames. A straight line fitted to a parabola over a symmetric window has the
  // parabola's slope at the centre: 2t inside, 2*4 = 8 on the first window (frames 0..8) and
  // 2*7 = 14 on the last (frames 3..11). The second derivative of an exact quadratic fit is 2.
  std::vector<double> y;
  for (int t = 0; t < 12; ++t) y.push_back(t * t);
  const Matrix d1 = delta(column_vector(y), 1), d2 = delta(column_vector(y), 2);
  const std::vector<double> want1 = {8, 8, 8, 8, 8, 10, 12, 14, 14, 14, 14, 14};
  for (int t = 0; t < 12; ++t) {
    EXPECT_NEAR(d1(t, 0), want1[t], 1e-4) << t;
    EXPECT_NEAR(d2(t, 0), 2.0, 1e-4) << t;
  }
}

TEST(Delta, MatchesScipySavgolInterp) {
  // scipy.signal.savgol_filter(x, 9, polyorder=o, deriv=o, mode='interp'), scipy 1.10.1.
  const std::vector<double> x = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  const std::vector<double> want1 = {0.45,
                                     0.45,
                                     0.45,
                                     0.45,
                                     0.45,
                                     0.3,
                                     0.1166666666666667,
                                     0.1166666666666669,
                                     0.1166666666666669,
                                     0.1166666666666669,
                                     0.1166666666666669};
  const double a = -0.09740259740259785, b = -0.20562770562770616;
  const std::vector<double> want2 = {a, a, a, a, a, -0.3896103896103895, b, b, b, b, b};
  const Matrix d1 = delta(column_vector(x), 1), d2 = delta(column_vector(x), 2);
  for (std::size_t t = 0; t < x.size(); ++t) {
    EXPECT_NEAR(d1(t, 0), want1[t], 1e-6) << t;
    EXPECT_NEAR(d2(t, 0), want2[t], 1e-6) << t;
  }
}

TEST(Delta, ShortClipsShrinkTheWindow) {
  // 5 frames: the window becomes 5 (savgol_filter(x[:5], 5, ...) = 0.4 and 0.857142857...).
  const Matrix five = column_vector({3, 1, 4, 1, 5});
  const Matrix d1 = delta(five, 1), d2 = delta(five, 2);
  for (int t = 0; t < 5; ++t) {
    EXPECT_NEAR(d1(t, 0), 0.4, 1e-6);
    EXPECT_NEAR(d2(t, 0), 0.857142857142859, 1e-6);
  }
  // 2 frames: too few for any polynomial derivative of order 2 (window 1): zeros, not a crash.
  const Matrix d = delta(column_vector({1, 2}), 2);
  EXPECT_EQ(d(0, 0), 0.0f);
  EXPECT_EQ(d(1, 0), 0.0f);
  const Matrix one = delta(column_vector({4}), 1);
  EXPECT_EQ(one(0, 0), 0.0f);
}

TEST(SummaryOptions, Salamon2014FeatureSet) {
  const FeatureOptions o = load_feature_set("salamon2014");
  EXPECT_EQ(o.summary, Summary::stats);
  EXPECT_EQ(o.mfcc.n_mfcc, 25);
  EXPECT_EQ(o.mfcc.n_mels, 40);
  EXPECT_EQ(o.mfcc.n_fft, 512);
  EXPECT_EQ(o.mfcc.hop_length, 256);
  const std::vector<std::string> cols = feature_columns(o);
  ASSERT_EQ(cols.size(), 275u);
  EXPECT_EQ(cols[0], "mfcc_0_min");
  EXPECT_EQ(cols[2 * 25 + 3], "mfcc_3_median");
  EXPECT_EQ(cols.back(), "mfcc_24_d2_var");
  const Matrix frames = random_matrix(30, 25, 3);
  EXPECT_EQ(summarize(frames, o).size(), cols.size());
  // The seed's set is unchanged by the new keys.
  EXPECT_EQ(feature_columns(load_feature_set("mfcc40_mean")).front(), "mfcc_0");
}

TEST(SummaryOptions, StatsKeyIsValidated) {
  FeatureOptions o;
  OptionSchema schema("features");
  bind(schema, o);
  schema.apply_override("summary", "stats", "test");
  schema.apply_override("stats", R"(["mean", "d1_var"])", "test");
  finalize(o);
  const std::vector<std::string> cols = feature_columns(o);
  ASSERT_EQ(cols.size(), 2u * static_cast<std::size_t>(o.mfcc.n_mfcc));
  EXPECT_EQ(cols[static_cast<std::size_t>(o.mfcc.n_mfcc)], "mfcc_0_d1_var");
  schema.apply_override("stats", R"(["mean", "mode"])", "test");
  EXPECT_THROW(finalize(o), Error);
  schema.apply_override("stats", R"(["mean", "mean"])", "test");
  EXPECT_THROW(finalize(o), Error);
  EXPECT_THROW(schema.apply_override("stats", "[1, 2]", "test"), Error);
}

}  // namespace
}  // namespace audify
