// Summary statistics and the Savitzky-Golay delta; see summary_stats.h for the conventions.
#include "features/summary_stats.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "core/error.h"
#include "features/summary_math.h"

namespace audify {
namespace {

constexpr std::array<std::pair<Stat, std::string_view>, 11> kNames{{
    {Stat::min, "min"},
    {Stat::max, "max"},
    {Stat::median, "median"},
    {Stat::mean, "mean"},
    {Stat::var, "var"},
    {Stat::skew, "skew"},
    {Stat::kurtosis, "kurtosis"},
    {Stat::d1_mean, "d1_mean"},
    {Stat::d1_var, "d1_var"},
    {Stat::d2_mean, "d2_mean"},
    {Stat::d2_var, "d2_var"},
}};

constexpr std::array<Stat, 11> kAll{Stat::min,    Stat::max,     Stat::median,   Stat::mean,
                                    Stat::var,    Stat::skew,    Stat::kurtosis, Stat::d1_mean,
                                    Stat::d1_var, Stat::d2_mean, Stat::d2_var};

// Column c of m as summary_math reads it.
const float* column(const Matrix& m, std::size_t c) {
  return m.data.data() + c;
}

}  // namespace

// Solves the normal equations in centred coordinates (well conditioned for the small widths used
// here).
std::vector<double> savgol_weights(int width, int degree, int deriv, int pos) {
  const int k = degree + 1;
  const double centre = (width - 1) / 2.0;
  auto power = [](double x, int e) {
    double r = 1.0;
    for (int i = 0; i < e; ++i) r *= x;
    return r;
  };
  // normal matrix N = A^T A with A[j][i] = x_j^i, and g_i = d^deriv/dx^deriv x^i at x_pos.
  std::vector<double> n(static_cast<std::size_t>(k * k), 0.0), g(k, 0.0);
  for (int j = 0; j < width; ++j)
    for (int a = 0; a < k; ++a)
      for (int b = 0; b < k; ++b) n[a * k + b] += power(j - centre, a + b);
  for (int i = deriv; i < k; ++i) {
    double falling = 1.0;
    for (int f = 0; f < deriv; ++f) falling *= i - f;
    g[i] = falling * power(pos - centre, i - deriv);
  }
  // Gaussian elimination with partial pivoting: N z = g.
  for (int c = 0; c < k; ++c) {
    int piv = c;
    for (int r = c + 1; r < k; ++r)
      if (std::abs(n[r * k + c]) > std::abs(n[piv * k + c])) piv = r;
    for (int b = 0; b < k; ++b) std::swap(n[c * k + b], n[piv * k + b]);
    std::swap(g[c], g[piv]);
    for (int r = c + 1; r < k; ++r) {
      const double f = n[r * k + c] / n[c * k + c];
      for (int b = c; b < k; ++b) n[r * k + b] -= f * n[c * k + b];
      g[r] -= f * g[c];
    }
  }
  for (int c = k - 1; c >= 0; --c) {
    for (int b = c + 1; b < k; ++b) g[c] -= n[c * k + b] * g[b];
    g[c] /= n[c * k + c];
  }
  std::vector<double> w(width, 0.0);
  for (int j = 0; j < width; ++j)
    for (int i = 0; i < k; ++i) w[j] += g[i] * power(j - centre, i);
  return w;
}

std::span<const Stat> all_stats() {
  return kAll;
}

std::string_view stat_name(Stat stat) {
  for (const auto& [s, name] : kNames)
    if (s == stat) return name;
  AUDIFY_ASSERT(false);
  return {};
}

std::optional<Stat> parse_stat(std::string_view name) {
  for (const auto& [s, n] : kNames)
    if (n == name) return s;
  return std::nullopt;
}

Matrix delta(const Matrix& frames, int order, int width) {
  AUDIFY_ASSERT(order >= 1 && width >= 1 && width % 2 == 1);
  Matrix out(frames.rows, frames.cols, 0.0f);
  const int n = static_cast<int>(frames.rows);
  const int w = summary_math::delta_width(n, width);
  if (w <= order) return out;  // too few frames for a polynomial of this order
  std::vector<std::vector<double>> weights(w);
  for (int p = 0; p < w; ++p) weights[p] = savgol_weights(w, order, order, p);
  for (int t = 0; t < n; ++t) {
    const auto start = static_cast<int>(summary_math::delta_window_start(t, n, w));
    const std::vector<double>& wt = weights[t - start];
    for (std::size_t c = 0; c < frames.cols; ++c) {
      double acc = 0.0;
      for (int j = 0; j < w; ++j) acc += wt[j] * frames(start + j, c);
      out(t, c) = static_cast<float>(acc);
    }
  }
  return out;
}

std::vector<float> summary_stats(const Matrix& frames, std::span<const Stat> stats) {
  AUDIFY_ASSERT(frames.rows > 0);
  const std::size_t nc = frames.cols;
  const bool need_d1 =
      std::ranges::any_of(stats, [](Stat s) { return s == Stat::d1_mean || s == Stat::d1_var; });
  const bool need_d2 =
      std::ranges::any_of(stats, [](Stat s) { return s == Stat::d2_mean || s == Stat::d2_var; });
  const Matrix d1 = need_d1 ? delta(frames, 1) : Matrix();
  const Matrix d2 = need_d2 ? delta(frames, 2) : Matrix();
  std::vector<float> row;
  row.reserve(stats.size() * nc);
  for (Stat s : stats) {
    for (std::size_t c = 0; c < nc; ++c) {
      const Matrix& src = (s == Stat::d1_mean || s == Stat::d1_var)   ? d1
                          : (s == Stat::d2_mean || s == Stat::d2_var) ? d2
                                                                      : frames;
      const float* x = column(src, c);
      const auto rows = static_cast<long long>(src.rows);
      const auto stride = static_cast<long long>(src.cols);
      double v = 0.0;
      switch (s) {
        case Stat::min:
        case Stat::max:
        case Stat::median: {
          std::vector<float> col(src.rows);
          for (std::size_t t = 0; t < src.rows; ++t) col[t] = src(t, c);
          v = s == Stat::min   ? *std::ranges::min_element(col)
              : s == Stat::max ? *std::ranges::max_element(col)
                               : summary_math::column_median(col.data(), rows);
          break;
        }
        case Stat::mean:
        case Stat::d1_mean:
        case Stat::d2_mean:
          v = summary_math::column_moments(x, rows, stride).mean;
          break;
        case Stat::var:
        case Stat::d1_var:
        case Stat::d2_var:
          v = summary_math::column_moments(x, rows, stride).m2;
          break;
        case Stat::skew:
          v = summary_math::skewness(summary_math::column_moments(x, rows, stride));
          break;
        case Stat::kurtosis:
          v = summary_math::excess_kurtosis(summary_math::column_moments(x, rows, stride));
          break;
      }
      row.push_back(static_cast<float>(v));
    }
  }
  return row;
}

}  // namespace audify
