#include "report/study_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

namespace audify {
namespace {

int protocol_order(const std::string& kind) {
  static const std::vector<std::string> kOrder = {"random", "grouped", "kfold", "fold_holdout"};
  const auto it = std::find(kOrder.begin(), kOrder.end(), kind);
  return static_cast<int>(it - kOrder.begin());
}

std::string protocol_label(const RunResults& r) {
  if (r.split_kind == "random") return "random 70/30 (the seed's protocol)";
  if (r.split_kind == "grouped") return "grouped 70/30 (recordings kept together)";
  if (r.split_kind == "kfold")
    return fmt::format("{} folds (official-style, recordings within a fold)", r.folds.size());
  return r.split_kind;
}

struct Cell {
  std::vector<double> test;  // every split's test accuracy, over the cell's runs
};

struct Row {
  std::string label;
  int order = 0;
  long test_clips = 0;
  double leaked_clips = 0;  // leak fraction x test clips, summed over the row's runs
  std::map<std::string, Cell> cells;
};

}  // namespace

Table study_table(const std::vector<const RunResults*>& runs) {
  std::vector<std::string> models;
  std::vector<Row> rows;
  for (const RunResults* r : runs) {
    if (std::find(models.begin(), models.end(), r->model_kind) == models.end())
      models.push_back(r->model_kind);
    const std::string label = protocol_label(*r);
    auto row =
        std::find_if(rows.begin(), rows.end(), [&](const Row& x) { return x.label == label; });
    if (row == rows.end()) {
      rows.push_back({label, protocol_order(r->split_kind), 0, 0, {}});
      row = rows.end() - 1;
    }
    // The leak depends on the split alone; pool it by clips so seeds and folds weigh by size.
    long clips = 0;
    for (const FoldScore& f : r->folds) {
      int test = 0;
      for (int c : f.test_class_clips) test += c;
      clips += test;
    }
    const double weight = clips > 0 ? static_cast<double>(clips) : 1.0;
    row->test_clips += static_cast<long>(weight);
    row->leaked_clips += r->leak_fraction * weight;
    for (double v : test_accuracies(*r)) row->cells[r->model_kind].test.push_back(v);
  }
  if (rows.size() < 2) return {};
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.order < b.order; });
  Table t{{"protocol", "leak: test clips with a sibling slice in train %"}, {}};
  for (const std::string& m : models) t.header.push_back(m + " test acc % (mean ± sd [95 % CI])");
  for (const Row& row : rows) {
    std::vector<std::string> cells{
        row.label, fmt::format("{:.1f}", 100.0 * row.leaked_clips /
                                             static_cast<double>(std::max(1L, row.test_clips)))};
    for (const std::string& m : models) {
      const auto it = row.cells.find(m);
      cells.push_back(it == row.cells.end() ? "—" : spread_cell(it->second.test));
    }
    t.rows.push_back(std::move(cells));
  }
  return t;
}

}  // namespace audify
