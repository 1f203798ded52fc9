// Per-coefficient statistics over frames: the clip-level features of Salamon, Jacoby & Bello
// (2014). Each statistic reduces one column of a (frames, n_coeff) matrix to a number, with
// SciPy/NumPy's default conventions so that a Python reference reproduces them:
//   var       numpy.var (ddof=0)
//   skew      scipy.stats.skew (bias=True): m3 / m2^1.5
//   kurtosis  scipy.stats.kurtosis (fisher=True, bias=True): m4 / m2^2 - 3 (excess kurtosis)
//   median    numpy.median (mean of the two middle values for an even count)
//   d1_*, d2_* the same mean / var of librosa.feature.delta(m, order=1 or 2) (width 9,
//   mode='interp')
// Where SciPy returns NaN (a constant coefficient: m2 == 0, e.g. digital silence), skew and
// kurtosis are 0 here, so the feature table never holds a NaN.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/matrix.h"

namespace audify {

enum class Stat { min, max, median, mean, var, skew, kurtosis, d1_mean, d1_var, d2_mean, d2_var };

// The 11 statistics of the paper, in its order; their names are the `features.stats` spellings.
std::span<const Stat> all_stats();
std::string_view stat_name(Stat stat);
std::optional<Stat> parse_stat(std::string_view name);

// librosa.feature.delta(frames.T, width=width, order=order, mode='interp').T: a Savitzky-Golay
// derivative along time (rows) with polynomial order `order`. Interior frames use the centred
// window; the first and last width/2 frames evaluate the fit of the first / last full window, as
// scipy.signal.savgol_filter(mode='interp') does. librosa refuses clips shorter than `width`
// frames; here the window shrinks to the largest odd count that fits, and the derivative is 0 when
// fewer than order + 1 frames remain.
Matrix delta(const Matrix& frames, int order, int width = 9);  // (frames, n_coeff) -> same shape

// Weights w[j] such that sum_j w[j] y[j] is the `deriv`-th derivative, at window position `pos`,
// of the least-squares polynomial of degree `degree` through y[0..width): delta's filter taps,
// public so the GPU backend uploads the very same ones.
std::vector<double> savgol_weights(int width, int degree, int deriv, int pos);

// One value per (statistic, coefficient), statistic-major: all coefficients of stats[0], then of
// stats[1], ... Computed in double, rounded once to float. frames.rows must be >= 1.
std::vector<float> summary_stats(const Matrix& frames, std::span<const Stat> stats);

}  // namespace audify
