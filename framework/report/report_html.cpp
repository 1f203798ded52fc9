// The HTML rendering of the report: the same tables as the Markdown, plus inline SVG charts. The
// page is self-contained (inline CSS, no scripts, no external references) so it can be mailed or
// archived beside the runs and still open offline.
#include <fmt/format.h>

#include <algorithm>

#include "core/csv.h"
#include "core/statistics.h"
#include "report/architecture_tables.h"
#include "report/published_figures.h"
#include "report/report_tables.h"
#include "report/report_writer.h"
#include "report/study_table.h"
#include "report/svg.h"

namespace audify {
namespace {

constexpr const char* kStyle = R"(body{font-family:sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
th{background:#f0f0f0}tr.published td{background:#fff8e0;font-style:italic}
svg{max-width:100%;height:auto;display:block;margin:.5em 0}.note{color:#555}
section.run{border-top:2px solid #ddd;margin-top:2em}
.warning{background:#fff0f0;border-left:4px solid #c00;padding:.4em .8em}
.pair{display:flex;flex-wrap:wrap;gap:1em}.pair svg{max-width:48%}
table.first td,table.first th{font-size:14px})";

std::string html_table(const Table& t, const char* row_class = nullptr,
                       const char* table_class = nullptr) {
  std::string s = table_class ? fmt::format("<table class=\"{}\">\n<tr>", table_class)
                              : std::string("<table>\n<tr>");
  for (const std::string& h : t.header) s += "<th>" + svg::escape(h) + "</th>";
  s += "</tr>\n";
  for (const auto& row : t.rows) {
    s += row_class ? fmt::format("<tr class=\"{}\">", row_class) : std::string("<tr>");
    for (const std::string& c : row) s += "<td>" + svg::escape(c) + "</td>";
    s += "</tr>\n";
  }
  return s + "</table>\n";
}

std::string fold_chart(const RunResults& r) {
  std::vector<std::string> labels;
  std::vector<double> values;
  for (const FoldScore& f : r.folds) {
    labels.push_back(f.name);
    values.push_back(100.0 * f.test_accuracy);
  }
  return svg::bar_chart(labels, values,
                        {fmt::format("Test accuracy per split (mean ± sd [95 % CI]: {} %)",
                                     spread_cell(test_accuracies(r))),
                         "split", "test accuracy %"},
                        100.0);
}

std::string curve_chart(const RunResults& r) {
  const bool evaluated = !r.history.empty() && r.history.front().train_dropout_off;
  svg::Series train{evaluated ? "train (dropout off)" : "train (running, dropout on)", {}, {}},
      test{"test", {}, {}};
  for (const EpochRow& e : mean_history(r)) {
    train.x.push_back(e.epoch);
    train.y.push_back(100.0 * e.train_accuracy);
    test.x.push_back(e.epoch);
    test.y.push_back(100.0 * e.test_accuracy);
  }
  const char* title = r.folds.size() > 1 ? "Learning curve (mean over splits)" : "Learning curve";
  return svg::line_chart({train, test}, {title, "epoch", "accuracy %"}, 100.0);
}

// Accuracy against the swept value when exactly one key is swept: a line over numeric values,
// bars otherwise.
// Each configuration's mean test accuracy, with its 95 % confidence interval over folds or seeds.
std::string architectures_chart(const std::vector<const RunResults*>& runs) {
  std::vector<std::string> names;
  std::vector<double> means, whiskers;
  for (const ReplicateGroup& g : replicate_groups(runs)) {
    const stats::Sample sample = stats::describe(test_values(g));
    names.push_back(g.name);
    means.push_back(100 * sample.mean);
    whiskers.push_back(sample.n > 1 ? 100 * (stats::mean_ci95(sample).high - sample.mean) : 0);
  }
  if (names.size() < 2) return {};
  return svg::bar_chart(names, means,
                        {"Test accuracy by configuration (95 % CI)", "", "test accuracy %"}, 100.0,
                        "{:.1f}", whiskers);
}

std::string sweep_chart(const MultirunResults& m) {
  if (m.swept_keys.size() != 1 || m.points.empty()) return {};
  const std::string& key = m.swept_keys[0];
  std::vector<std::pair<double, const RunResults*>> numeric;
  for (const RunResults& p : m.points) {
    double v = 0;
    if (p.swept.empty() || !csv::parse_double(p.swept[0].second, v)) {
      numeric.clear();
      break;
    }
    numeric.emplace_back(v, &p);
  }
  const svg::Labels labels{"Accuracy vs " + key, key, "accuracy %"};
  if (!numeric.empty()) {
    std::sort(numeric.begin(), numeric.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    svg::Series train{"train", {}, {}}, test{"test", {}, {}};
    for (const auto& [v, p] : numeric) {
      train.x.push_back(v);
      train.y.push_back(100.0 * p->train_accuracy);
      test.x.push_back(v);
      test.y.push_back(100.0 * p->test_accuracy);
    }
    return svg::line_chart({train, test}, labels, 100.0);
  }
  std::vector<std::string> names;
  std::vector<double> values;
  for (const RunResults& p : m.points) {
    names.push_back(p.swept.empty() ? p.label : p.swept[0].second);
    values.push_back(100.0 * p.test_accuracy);
  }
  return svg::bar_chart(names, values, {"Test accuracy vs " + key, key, "test accuracy %"}, 100.0);
}

std::string html_run(const RunResults& r) {
  std::string s = fmt::format("<section class=\"run\">\n<h3>{}</h3>\n", svg::escape(r.label));
  s += "<p>" + svg::escape(run_headline(r)) + "</p>\n";
  if (r.folds.size() > 1) {
    s += "<h4>Per-split accuracy</h4>\n" + fold_chart(r) + html_table(fold_table(r));
  }
  if (r.folds.size() == 1 && !r.folds[0].test_class_clips.empty())
    s += "<h4>Class balance (clips per side)</h4>\n" + html_table(class_balance_table(r));
  if (!r.per_class.empty())
    s += "<h4>Per-class scores (pooled test predictions)</h4>\n" + html_table(per_class_table(r));
  if (!r.confusion.empty()) {
    const std::vector<std::string> names = class_labels(r);
    s += "<h4>Confusion matrix</h4>\n<div class=\"pair\">" +
         svg::heatmap(r.confusion, names, names,
                      {"Counts (pooled test predictions)", "predicted class", "true class"}) +
         svg::heatmap(row_normalised_percent(r.confusion), names, names,
                      {"Row-normalised: % of each true class", "predicted class", "true class"}) +
         "</div>\n";
  }
  if (!r.history.empty())
    s += "<h4>Learning curve</h4>\n<p class=\"note\">" + svg::escape(curve_train_note(r)) +
         ".</p>\n" + curve_chart(r);
  if (!r.hyperparameters.empty())
    s += "<h4>Hyperparameters</h4>\n" + html_table(hyperparameter_table(r));
  s += "<h4>Provenance</h4>\n" + html_table(provenance_table(r));
  return s + "</section>\n";
}

}  // namespace

std::string report_html(const ReportInputs& in) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += fmt::format("<title>Audify report</title>\n<style>{}</style>\n</head>\n<body>\n", kStyle);
  s += "<h1>Audify report</h1>\n";
  if (const Table study = study_table(in.all_runs()); !study.rows.empty())
    s += fmt::format("<h2>Protocol × model</h2>\n<p class=\"note\">{}</p>\n", kStudyNote) +
         html_table(study, nullptr, "first") +
         fmt::format("<p class=\"note\">{}.</p>\n", kSpreadNote);
  s += "<h2>Accuracy</h2>\n";
  s += fmt::format(
      "<p class=\"note\">Measured runs (accuracies in %; {}; leak: test clips with a slice of the "
      "same recording in train).</p>\n",
      kSpreadNote);
  s += html_table(accuracy_table(in.all_runs()));
  if (const Table published = published_table(in.all_runs()); !published.rows.empty()) {
    s += "<p class=\"note\">Reference figures — <strong>published, not measured</strong> by "
         "these runs:</p>\n";
    s += html_table(published, "published");
  }
  if (!in.skipped.empty()) {
    s += "<p class=\"note\">Skipped (failed or unfinished runs):</p>\n<ul>\n";
    for (const std::string& note : in.skipped) s += "<li>" + svg::escape(note) + "</li>\n";
    s += "</ul>\n";
  }
  if (in.all_runs().size() > 1) {
    s += fmt::format("<h2>Architectures</h2>\n<p class=\"note\">{}</p>\n",
                     svg::escape(kArchitecturesNote));
    s += html_table(architectures_table(in.all_runs())) + architectures_chart(in.all_runs());
    const Table paired = paired_differences_table(in.all_runs());
    if (!paired.rows.empty())
      s += fmt::format("<p class=\"note\">{}</p>\n", svg::escape(kPairedNote)) + html_table(paired);
  }
  for (const MultirunResults& m : in.multiruns) {
    const std::string note = multirun_ranking_note(m);
    s += fmt::format("<h2>Multirun {}</h2>\n<p class=\"{}\">{}</p>\n",
                     svg::escape(m.dir.filename().string()),
                     note.starts_with("⚠") ? "warning" : "note", svg::escape(note));
    s += html_table(multirun_table(m)) + sweep_chart(m);
  }
  s += "<h2>Runs</h2>\n";
  for (const RunResults* r : in.all_runs()) s += html_run(*r);
  return s + "</body>\n</html>\n";
}

}  // namespace audify
