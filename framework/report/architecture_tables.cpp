#include "report/architecture_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/statistics.h"

namespace audify {
namespace {

std::string p_value(double p) {
  return p < 0.001 ? "< 0.001" : fmt::format("{:.3f}", p);
}

std::string joined(const std::vector<double>& fractions) {
  std::string s;
  for (const double v : fractions) s += (s.empty() ? "" : ", ") + percent(v);
  return s;
}

std::string seed_of(const RunResults& r) {
  for (const auto& [key, value] : r.swept)
    if (key == "seed") return value;
  return {};
}

// Two splits tested on the same clips of the same data.
bool same_split(const RunResults& a, const FoldScore& fa, const RunResults& b,
                const FoldScore& fb) {
  if (a.data_source != b.data_source || a.clips != b.clips || fa.name != fb.name) return false;
  if (!fa.test_set.empty() && !fb.test_set.empty()) return fa.test_set == fb.test_set;
  return fa.test_class_clips == fb.test_class_clips;  // runs written before predictions.csv
}

// b − a over every split the two groups tested on identically, in points.
std::vector<double> paired_split_differences(const ReplicateGroup& a, const ReplicateGroup& b) {
  std::vector<double> d;
  for (const RunResults* ra : a.runs)
    for (const RunResults* rb : b.runs) {
      if (ra->folds.size() != rb->folds.size() || ra->folds.empty()) continue;
      bool all_same = true;
      for (std::size_t f = 0; f < ra->folds.size() && all_same; ++f)
        all_same = same_split(*ra, ra->folds[f], *rb, rb->folds[f]);
      if (!all_same) continue;
      for (std::size_t f = 0; f < ra->folds.size(); ++f)
        d.push_back(100 * (rb->folds[f].test_accuracy - ra->folds[f].test_accuracy));
      break;  // one partner per run of a
    }
  return d;
}

}  // namespace

std::vector<ReplicateGroup> replicate_groups(const std::vector<const RunResults*>& runs) {
  std::vector<ReplicateGroup> groups;
  std::map<std::string, std::size_t> index;
  for (const RunResults* r : runs) {
    std::string others, values;  // the swept keys and values other than the seed; the values
    for (const auto& [key, value] : r->swept)
      if (key != "seed") {
        others += (others.empty() ? "" : ",") + key + "=" + value;
        values += (values.empty() ? "" : ", ") + value;
      }
    const bool replicate = !seed_of(*r).empty();
    const std::string key = replicate ? r->dir.parent_path().string() + "\n" + others
                                      : r->dir.string() + "\n" + r->label;
    auto [it, added] = index.emplace(key, groups.size());
    if (added) {
      const bool named = !r->experiment.empty() && r->experiment != "default";
      const std::string base = named ? r->experiment : r->model_kind;
      groups.push_back({r->label, values.empty() ? base : values, {}});
      // "sb_cnn_augmented (multirun_...)", "model=mlp,features=salamon2014 (multirun_...)"
      std::string what = named ? r->experiment : "";
      if (!others.empty()) what += (what.empty() ? "" : " ") + others;
      if (replicate)
        groups.back().label = fmt::format("{} ({})", what.empty() ? base : what,
                                          r->dir.parent_path().filename().string());
    }
    groups[it->second].runs.push_back(r);
  }
  for (ReplicateGroup& g : groups) {
    if (g.runs.size() < 2) {
      g.label = g.runs.front()->label;  // one seed: the point's own name says which
      continue;
    }
    std::stable_sort(g.runs.begin(), g.runs.end(), [](const RunResults* x, const RunResults* y) {
      return std::stoll("0" + seed_of(*x)) < std::stoll("0" + seed_of(*y));
    });
    g.label += fmt::format(", {} seeds", g.runs.size());
  }
  return groups;
}

std::vector<double> test_values(const ReplicateGroup& g) {
  if (g.runs.size() == 1) return test_accuracies(*g.runs.front());
  std::vector<double> values;
  for (const RunResults* r : g.runs) values.push_back(r->test_accuracy);
  return values;
}

Table architectures_table(const std::vector<const RunResults*>& runs) {
  Table t{{"configuration", "model", "parameters", "split", "test acc % (mean ± sd [95 % CI])",
           "per fold, or per seed", "train s per fold"},
          {}};
  for (const ReplicateGroup& g : replicate_groups(runs)) {
    const RunResults& first = *g.runs.front();
    const std::vector<double> values = test_values(g);
    double train_seconds = 0;
    std::size_t folds = 0;
    for (const RunResults* r : g.runs) {
      train_seconds += r->seconds_train;
      folds += std::max<std::size_t>(r->folds.size(), 1);
    }
    t.rows.push_back({g.label, first.model_kind,
                      first.parameters > 0 ? fmt::format("{}", first.parameters) : "—",
                      first.split_kind, spread_cell(values), joined(values),
                      fmt::format("{:.1f}", train_seconds / static_cast<double>(folds))});
  }
  return t;
}

Table paired_differences_table(const std::vector<const RunResults*>& runs) {
  Table t{{"b − a", "splits", "difference per split, points", "mean ± sd [95 % CI], points",
           "paired t (df)", "p, paired t", "p, Wilcoxon", "b wins"},
          {}};
  const std::vector<ReplicateGroup> groups = replicate_groups(runs);
  for (std::size_t i = 0; i < groups.size(); ++i)
    for (std::size_t j = i + 1; j < groups.size(); ++j) {
      const ReplicateGroup &a = groups[i], &b = groups[j];
      const std::vector<double> d = paired_split_differences(a, b);
      if (d.empty()) continue;
      std::string per_split;
      int wins = 0;
      for (const double v : d) {
        wins += v > 0 ? 1 : 0;
        per_split += fmt::format("{}{:+.2f}", per_split.empty() ? "" : ", ", v);
      }
      const stats::TestResult paired = stats::paired_t_test(d);
      const stats::TestResult signed_rank = stats::wilcoxon_signed_rank(d);
      const bool testable = d.size() > 1 && paired.statistic != 0;
      const RunResults &ra = *a.runs.front(), &rb = *b.runs.front();
      t.rows.push_back(
          {fmt::format("{} ({}) − {} ({})", b.label, rb.model_kind, a.label, ra.model_kind),
           std::to_string(d.size()), per_split, spread_cell(d, 1),
           testable ? fmt::format("{:.2f} ({})", paired.statistic, d.size() - 1) : "—",
           d.size() > 1 ? p_value(paired.p) : "—",
           d.size() > 1 ? p_value(signed_rank.p) + (signed_rank.exact ? " (exact)" : " (normal)")
                        : "—",
           fmt::format("{} of {}", wins, d.size())});
    }
  return t;
}

}  // namespace audify
