#include "report/architecture_tables.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

namespace audify {
namespace {

std::string mean_std(double mean, double sd, std::size_t n) {
  return n > 1 ? fmt::format("{:.2f} ± {:.2f}", mean, sd) : fmt::format("{:.2f}", mean);
}

std::string per_fold(const RunResults& r) {
  std::string s;
  for (const FoldScore& f : r.folds) s += (s.empty() ? "" : ", ") + percent(f.test_accuracy);
  return s;
}

bool same_folds(const RunResults& a, const RunResults& b) {
  if (a.folds.size() != b.folds.size() || a.data_source != b.data_source || a.clips != b.clips)
    return false;
  for (std::size_t i = 0; i < a.folds.size(); ++i)
    if (a.folds[i].name != b.folds[i].name) return false;
  return true;
}

}  // namespace

Table architectures_table(const std::vector<const RunResults*>& runs) {
  Table t{{"run", "model", "parameters", "split", "test acc % (mean ± std)", "per fold",
           "train s per fold"},
          {}};
  for (const RunResults* r : runs) {
    const std::size_t folds = std::max<std::size_t>(r->folds.size(), 1);
    t.rows.push_back(
        {r->label, r->model_kind, r->parameters > 0 ? fmt::format("{}", r->parameters) : "—",
         r->split_kind, mean_std(100 * r->test_accuracy, 100 * r->test_accuracy_std, folds),
         per_fold(*r), fmt::format("{:.1f}", r->seconds_train / static_cast<double>(folds))});
  }
  return t;
}

Table paired_differences_table(const std::vector<const RunResults*>& runs) {
  Table t{{"b − a", "folds", "difference, points (mean ± std)", "paired t", "b wins"}, {}};
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (std::size_t j = i + 1; j < runs.size(); ++j) {
      const RunResults &a = *runs[i], &b = *runs[j];
      if (a.folds.empty() || !same_folds(a, b)) continue;
      std::vector<double> d;
      int wins = 0;
      for (std::size_t f = 0; f < a.folds.size(); ++f) {
        d.push_back(100 * (b.folds[f].test_accuracy - a.folds[f].test_accuracy));
        wins += d.back() > 0 ? 1 : 0;
      }
      const double n = static_cast<double>(d.size());
      const double mean = std::accumulate(d.begin(), d.end(), 0.0) / n;
      double ss = 0;
      for (double x : d) ss += (x - mean) * (x - mean);
      const double sd = d.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
      const std::string tstat =
          d.size() > 1 && sd > 0 ? fmt::format("{:.2f}", mean / (sd / std::sqrt(n))) : "—";
      t.rows.push_back(
          {fmt::format("{} ({}) − {} ({})", b.label, b.model_kind, a.label, a.model_kind),
           std::to_string(d.size()), mean_std(mean, sd, d.size()), tstat,
           fmt::format("{} of {}", wins, d.size())});
    }
  return t;
}

}  // namespace audify
