// Table builders for the report. Accuracies are shown in percent with two decimals, the precision
// the runner prints, so a number in the report can be found again in the console output.
#include "report/report_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/statistics.h"
#include "report/published_figures.h"

namespace audify {

std::string percent(double fraction) {
  return fmt::format("{:.2f}", 100.0 * fraction);
}

std::vector<double> test_accuracies(const RunResults& r) {
  std::vector<double> out;
  for (const FoldScore& f : r.folds) out.push_back(f.test_accuracy);
  if (out.empty()) out.push_back(r.test_accuracy);
  return out;
}

std::vector<double> train_accuracies(const RunResults& r) {
  std::vector<double> out;
  for (const FoldScore& f : r.folds) out.push_back(f.train_accuracy);
  if (out.empty()) out.push_back(r.train_accuracy);
  return out;
}

std::string spread_cell(const std::vector<double>& values, double scale) {
  const stats::Sample s = stats::describe(values);
  if (s.n < 2) return fmt::format("{:.2f}", scale * s.mean);
  const stats::Interval ci = stats::mean_ci95(s);
  return fmt::format("{:.2f} ± {:.2f} [{:.2f}, {:.2f}]", scale * s.mean, scale * s.sd,
                     scale * ci.low, scale * ci.high);
}

namespace {

std::string test_cell(const RunResults& r) {
  return spread_cell(test_accuracies(r));
}

std::string split_cell(const RunResults& r) {
  return r.folds.size() > 1 ? fmt::format("{} ({} folds)", r.split_kind, r.folds.size())
                            : r.split_kind;
}

std::string seconds(double s) {
  return fmt::format("{:.2f} s", s);
}

}  // namespace

std::string run_headline(const RunResults& r) {
  std::string s =
      fmt::format("Test accuracy {} %, macro-F1 {:.4f}, split {}, leak {:.1f} %.",
                  percent(r.test_accuracy), r.macro_f1, r.split_kind, 100.0 * r.leak_fraction);
  if (r.purged_train_clips > 0)
    s += fmt::format(" split.purge dropped {} training clips; leak before: {:.1f} %.",
                     r.purged_train_clips, 100.0 * r.leak_fraction_before_purge);
  if (!r.feature_description.empty()) s += " Features: " + r.feature_description + ".";
  if (!r.split_note.empty()) s += " Note: " + r.split_note + ".";
  if (!r.model_note.empty()) s += " Saved model: " + r.model_note + ".";
  return s;
}

Table accuracy_table(const std::vector<const RunResults*>& runs) {
  Table t{{"run", "model", "features", "split", "train acc % (mean ± sd [95 % CI])",
           "test acc % (mean ± sd [95 % CI])", "macro-F1", "leak %", "source",
           "test vs published, points"},
          {}};
  for (const RunResults* r : runs)
    t.rows.push_back(
        {r->label, r->model_kind, std::to_string(r->features), split_cell(*r),
         spread_cell(train_accuracies(*r)), test_cell(*r), fmt::format("{:.4f}", r->macro_f1),
         fmt::format("{:.1f}", 100.0 * r->leak_fraction), "measured", published_difference(*r)});
  return t;
}

Table fold_table(const RunResults& run) {
  Table t{{"split", "train acc %", "test acc %", "test macro-F1", "leak %"}, {}};
  const bool purged = run.purged_train_clips > 0;
  if (purged) {
    t.header.push_back("leak before purge %");
    t.header.push_back("purged train clips");
  }
  for (const FoldScore& f : run.folds) {
    t.rows.push_back({f.name, percent(f.train_accuracy), percent(f.test_accuracy),
                      fmt::format("{:.4f}", f.test_macro_f1),
                      fmt::format("{:.1f}", 100.0 * f.leak_fraction)});
    if (purged) {
      t.rows.back().push_back(fmt::format("{:.1f}", 100.0 * f.leak_fraction_before_purge));
      t.rows.back().push_back(std::to_string(f.purged_train_clips));
    }
  }
  return t;
}

Table class_balance_table(const RunResults& run) {
  Table t{{"class"}, {}};
  for (const FoldScore& f : run.folds) t.header.push_back(f.name + " train / test clips");
  for (const FoldScore& f : run.folds) t.header.push_back(f.name + " test share %");
  const std::vector<std::string> names = class_labels(run);
  for (std::size_t c = 0; c < names.size(); ++c) {
    std::vector<std::string> row{names[c]};
    for (const FoldScore& f : run.folds)
      row.push_back(c < f.train_class_clips.size()
                        ? fmt::format("{} / {}", f.train_class_clips[c], f.test_class_clips[c])
                        : "—");
    for (const FoldScore& f : run.folds) {
      const int train = c < f.train_class_clips.size() ? f.train_class_clips[c] : 0;
      const int test = c < f.test_class_clips.size() ? f.test_class_clips[c] : 0;
      row.push_back(train + test ? fmt::format("{:.1f}", 100.0 * test / (train + test)) : "—");
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table per_class_table(const RunResults& run) {
  Table t{{"class", "precision", "recall", "F1", "support"}, {}};
  for (const ClassScore& c : run.per_class)
    t.rows.push_back({c.name, fmt::format("{:.4f}", c.precision), fmt::format("{:.4f}", c.recall),
                      fmt::format("{:.4f}", c.f1), std::to_string(c.support)});
  return t;
}

Table confusion_table(const RunResults& run) {
  const std::vector<std::string> names = class_labels(run);
  Table t;
  t.header.push_back("true \\ predicted");
  for (const std::string& n : names) t.header.push_back(n);
  for (std::size_t r = 0; r < run.confusion.size(); ++r) {
    std::vector<std::string> row{r < names.size() ? names[r] : std::to_string(r)};
    for (int v : run.confusion[r]) row.push_back(std::to_string(v));
    t.rows.push_back(std::move(row));
  }
  return t;
}

namespace {

bool ranks_by_validation(const MultirunResults& m) {
  return !m.points.empty() &&
         std::all_of(m.points.begin(), m.points.end(),
                     [](const RunResults& p) { return validation_accuracy(p) >= 0; });
}

}  // namespace

std::string multirun_ranking_note(const MultirunResults& m) {
  if (ranks_by_validation(m))
    return "Ranked by validation accuracy (train.validation_fraction's held-out training rows); "
           "the test accuracy is shown, not used to choose.";
  return "⚠ Ranking on the test set: these runs have no validation score, so the order below uses "
         "test accuracy, and the best point's test figure is an optimistic estimate. Set "
         "train.validation_fraction (networks) to rank on held-out training rows instead.";
}

std::vector<std::vector<int>> row_normalised_percent(const std::vector<std::vector<int>>& counts) {
  std::vector<std::vector<int>> out;
  for (const std::vector<int>& row : counts) {
    long total = 0;
    for (int v : row) total += v;
    std::vector<int> cells;
    for (int v : row)
      cells.push_back(total ? static_cast<int>(std::lround(100.0 * v / static_cast<double>(total)))
                            : 0);
    out.push_back(std::move(cells));
  }
  return out;
}

Table confusion_percent_table(const RunResults& run) {
  Table t = confusion_table(run);
  const std::vector<std::vector<int>> percent_rows = row_normalised_percent(run.confusion);
  for (std::size_t r = 0; r < t.rows.size(); ++r)
    for (std::size_t c = 0; c < percent_rows[r].size(); ++c)
      t.rows[r][c + 1] = std::to_string(percent_rows[r][c]);
  return t;
}

Table hyperparameter_table(const RunResults& run) {
  Table t{{"key", "value"}, {}};
  for (const auto& [key, value] : run.hyperparameters) t.rows.push_back({key, value});
  return t;
}

Table multirun_table(const MultirunResults& multirun) {
  const bool by_validation = ranks_by_validation(multirun);
  std::vector<const RunResults*> sorted;
  for (const RunResults& p : multirun.points) sorted.push_back(&p);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const RunResults* a, const RunResults* b) {
    return by_validation ? validation_accuracy(*a) > validation_accuracy(*b)
                         : a->test_accuracy > b->test_accuracy;
  });
  Table t;
  t.header.push_back(by_validation ? "rank (validation)" : "rank (test — see warning)");
  t.header.push_back("point");
  for (const std::string& k : multirun.swept_keys) t.header.push_back(k);
  t.header.push_back("validation acc %");
  for (const char* h : {"train acc %", "test acc % (mean ± sd [95 % CI])", "macro-F1", "leak %"})
    t.header.push_back(h);
  int rank = 1;
  for (const RunResults* p : sorted) {
    std::vector<std::string> row{std::to_string(rank++), p->dir.filename().string()};
    for (const auto& kv : p->swept) row.push_back(kv.second);
    const double validation = validation_accuracy(*p);
    row.push_back(validation >= 0 ? percent(validation) : "—");
    row.push_back(percent(p->train_accuracy));
    row.push_back(test_cell(*p));
    row.push_back(fmt::format("{:.4f}", p->macro_f1));
    row.push_back(fmt::format("{:.1f}", 100.0 * p->leak_fraction));
    t.rows.push_back(std::move(row));
  }
  for (const std::string& m : multirun.missing) {
    std::vector<std::string> row{"—", m};
    row.resize(t.header.size(), "");
    row.back() = "no metrics.json (failed or unfinished)";
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::vector<EpochRow> mean_history(const RunResults& run) {
  std::map<int, std::pair<EpochRow, int>> by_epoch;  // epoch -> (sums, count)
  for (const EpochRow& h : run.history) {
    auto& [sum, n] = by_epoch[h.epoch];
    sum.epoch = h.epoch;
    sum.loss += h.loss;
    sum.train_accuracy += h.train_accuracy;
    sum.test_accuracy += h.test_accuracy;
    ++n;
  }
  std::vector<EpochRow> out;
  for (auto& [epoch, entry] : by_epoch) {
    EpochRow r = entry.first;
    const double n = entry.second;
    r.loss /= n;
    r.train_accuracy /= n;
    r.test_accuracy /= n;
    r.split = entry.second > 1 ? fmt::format("mean of {}", entry.second) : "";
    out.push_back(r);
  }
  return out;
}

Table learning_curve_table(const RunResults& run, std::size_t max_rows) {
  const std::vector<EpochRow> rows = mean_history(run);
  Table t{{"epoch", "loss", "train acc %", "test acc %", "splits"}, {}};
  const std::size_t step = std::max<std::size_t>(1, (rows.size() + max_rows - 1) / max_rows);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i % step != 0 && i + 1 != rows.size()) continue;  // always keep the last epoch
    const EpochRow& r = rows[i];
    t.rows.push_back({std::to_string(r.epoch), fmt::format("{:.4f}", r.loss),
                      percent(r.train_accuracy), percent(r.test_accuracy),
                      r.split.empty() ? "1" : r.split});
  }
  return t;
}

std::string curve_train_note(const RunResults& run) {
  const bool evaluated = !run.history.empty() && run.history.front().train_dropout_off;
  return evaluated ? "train: the model after each epoch on its training clips (for a CNN an evenly "
                     "spaced sample of them as large as the test side), dropout off, as the final "
                     "figure"
                   : "train: the running accuracy during each epoch with dropout on, so it can "
                     "sit below test";
}

Table provenance_table(const RunResults& run) {
  Table t{{"item", "value"}, {}};
  t.rows.push_back({"directory", run.dir.string()});
  t.rows.push_back({"experiment", run.experiment});
  t.rows.push_back({"commit", run.commit.empty() ? "unknown" : run.commit});
  t.rows.push_back({"device", run.device});
  t.rows.push_back({"finished at", run.finished_at});
  t.rows.push_back({"data", fmt::format("{} ({} clips)", run.data_source, run.clips)});
  t.rows.push_back({"features", run.feature_description.empty()
                                    ? fmt::format("{} columns", run.features)
                                    : run.feature_description});
  t.rows.push_back(
      {"wall time", fmt::format("total {}: dataset {}, features {}, split {}, train "
                                "{}, evaluate {}, write {}",
                                seconds(run.seconds_total), seconds(run.seconds_dataset),
                                seconds(run.seconds_extract), seconds(run.seconds_split),
                                seconds(run.seconds_train), seconds(run.seconds_evaluate),
                                seconds(run.seconds_write))});
  std::string overrides;
  for (const auto& [k, v] : run.overrides)
    overrides += (overrides.empty() ? "" : " ") + k + "=" + v;
  t.rows.push_back({"overrides", overrides.empty() ? "(none)" : overrides});
  return t;
}

}  // namespace audify
