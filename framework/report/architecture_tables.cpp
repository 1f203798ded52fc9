#include "report/architecture_tables.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/statistics.h"

namespace audify {
namespace {

std::string per_fold(const RunResults& r) {
  std::string s;
  for (const FoldScore& f : r.folds) s += (s.empty() ? "" : ", ") + percent(f.test_accuracy);
  return s;
}

std::string p_value(double p) {
  return p < 0.001 ? "< 0.001" : fmt::format("{:.3f}", p);
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
  Table t{{"run", "model", "parameters", "split", "test acc % (mean ± sd [95 % CI])", "per fold",
           "train s per fold"},
          {}};
  for (const RunResults* r : runs) {
    const std::size_t folds = std::max<std::size_t>(r->folds.size(), 1);
    t.rows.push_back({r->label, r->model_kind,
                      r->parameters > 0 ? fmt::format("{}", r->parameters) : "—", r->split_kind,
                      spread_cell(test_accuracies(*r)), per_fold(*r),
                      fmt::format("{:.1f}", r->seconds_train / static_cast<double>(folds))});
  }
  return t;
}

Table paired_differences_table(const std::vector<const RunResults*>& runs) {
  Table t{{"b − a", "folds", "difference per fold, points", "mean ± sd [95 % CI], points",
           "paired t (df)", "p, paired t", "p, Wilcoxon", "b wins"},
          {}};
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (std::size_t j = i + 1; j < runs.size(); ++j) {
      const RunResults &a = *runs[i], &b = *runs[j];
      if (a.folds.empty() || !same_folds(a, b)) continue;
      std::vector<double> d;
      std::string per_fold_text;
      int wins = 0;
      for (std::size_t f = 0; f < a.folds.size(); ++f) {
        d.push_back(100 * (b.folds[f].test_accuracy - a.folds[f].test_accuracy));
        wins += d.back() > 0 ? 1 : 0;
        per_fold_text += fmt::format("{}{:+.2f}", per_fold_text.empty() ? "" : ", ", d.back());
      }
      const stats::TestResult paired = stats::paired_t_test(d);
      const stats::TestResult signed_rank = stats::wilcoxon_signed_rank(d);
      const bool testable = d.size() > 1 && paired.statistic != 0;
      t.rows.push_back(
          {fmt::format("{} ({}) − {} ({})", b.label, b.model_kind, a.label, a.model_kind),
           std::to_string(d.size()), per_fold_text, spread_cell(d, 1),
           testable ? fmt::format("{:.2f} ({})", paired.statistic, d.size() - 1) : "—",
           d.size() > 1 ? p_value(paired.p) : "—",
           d.size() > 1 ? p_value(signed_rank.p) + (signed_rank.exact ? " (exact)" : " (normal)")
                        : "—",
           fmt::format("{} of {}", wins, d.size())});
    }
  return t;
}

}  // namespace audify
