#include "report/architecture_tables.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

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
    std::string swept;  // the swept keys and values other than the seed
    for (const auto& [key, value] : r->swept)
      if (key != "seed") swept += (swept.empty() ? "" : ",") + key + "=" + value;
    const std::string key = seed_of(*r).empty() ? r->dir.string() + "\n" + r->label
                                                : r->dir.parent_path().string() + "\n" + swept;
    auto [it, added] = index.emplace(key, groups.size());
    if (added) groups.push_back({r->label, {}, {}});
    groups[it->second].runs.push_back(r);
  }
  // The overrides that tell configurations apart (augment=specaugment in one, not in another),
  // less those that only place or repeat a run.
  const auto incidental = [](const std::string& key) {
    return key == "seed" || key == "output_root" || key == "report" || key == "data.root" ||
           key.starts_with("launcher.") || key.starts_with("eval.curve_every");
  };
  std::map<std::string, std::set<std::string>> seen;  // key -> its values ("" when absent)
  for (const ReplicateGroup& g : groups)
    for (const auto& [k, v] : g.runs.front()->overrides) seen[k];
  for (const ReplicateGroup& g : groups)
    for (auto& [k, values] : seen) {
      std::string value;
      for (const auto& [ok, ov] : g.runs.front()->overrides)
        if (ok == k) value = ov;
      values.insert(value);
    }
  for (ReplicateGroup& g : groups) {
    const RunResults& r = *g.runs.front();
    std::vector<std::string> parts, values;  // "key=value", and the values alone for charts
    const bool named = !r.experiment.empty() && r.experiment != "default";
    if (named) parts.push_back(r.experiment);
    for (const auto& [k, v] : r.overrides)
      if (!incidental(k) && k != "+experiment" && seen[k].size() > 1) {
        parts.push_back(k + "=" + v);
        values.push_back(v);
      }
    const bool told_apart = !values.empty();
    if (parts.empty()) parts.push_back(r.model_kind);
    if (values.empty()) values.push_back(named ? r.experiment : r.model_kind);
    g.name = fmt::format("{}", fmt::join(values, ", "));
    if (g.runs.size() < 2) {  // one run, or one seed: its folder, after what sets it apart
      if (told_apart) g.label = fmt::format("{} ({})", fmt::join(parts, " "), r.label);
      continue;
    }
    std::stable_sort(g.runs.begin(), g.runs.end(), [](const RunResults* x, const RunResults* y) {
      return std::stoll("0" + seed_of(*x)) < std::stoll("0" + seed_of(*y));
    });
    g.label = fmt::format("{} ({}), {} seeds", fmt::join(parts, " "),
                          r.dir.parent_path().filename().string(), g.runs.size());
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
  Table t{{"configuration", "model", "augmentation (training only)", "parameters", "split",
           "test acc % (mean ± sd [95 % CI])", "per fold, or per seed", "train s per fold"},
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
    t.rows.push_back({g.label, first.model_kind, first.augmentation,
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
