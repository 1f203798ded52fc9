// Reads the few numbers a sweep is compared by from each point's metrics.json.
#include "experiment/summary.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "core/atomic_file.h"
#include "core/csv.h"

namespace audify {
namespace fs = std::filesystem;
namespace {

struct Numbers {
  double train = 0, test = 0, test_std = 0, macro_f1 = 0, leak = 0;
  std::size_t splits = 0;
};

std::optional<Numbers> read_numbers(const fs::path& file) {
  if (!fs::exists(file)) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(read_file(file));
    Numbers n;
    n.train = j.at("train").at("accuracy").get<double>();
    n.test = j.at("test").at("accuracy").get<double>();
    n.test_std = j.at("test").at("accuracy_std").get<double>();
    n.macro_f1 = j.at("test").at("macro_f1").get<double>();
    n.leak = j.at("leak").at("clip_fraction").get<double>();
    n.splits = j.at("folds").size();
    return n;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

void write_summary(const fs::path& dir, const std::vector<SummaryPoint>& points) {
  std::vector<std::string> keys;
  if (!points.empty())
    for (const auto& [key, value] : points.front().swept) keys.push_back(key);

  std::string csv_text = "index,dir";
  std::string md = "| # |";
  std::string rule = "|---|";
  for (const std::string& k : keys) {
    csv_text += "," + csv::escape(k);
    md += " " + k + " |";
    rule += "---|";
  }
  csv_text +=
      ",train_accuracy,test_accuracy,test_accuracy_std,test_macro_f1,leak_clip_fraction,splits,"
      "status\n";
  md += " train acc | test acc (mean ± sample sd) | macro-F1 | leak | status |\n";
  rule += "---|---|---|---|---|\n";
  md = "# Multirun summary\n\n" + md + rule;

  for (const SummaryPoint& p : points) {
    const std::optional<Numbers> n = read_numbers(dir / p.name / "metrics.json");
    csv_text += fmt::format("{},{}", p.index, csv::escape(p.name));
    md += fmt::format("| {} |", p.index);
    for (const auto& [key, value] : p.swept) {
      csv_text += "," + csv::escape(value);
      md += " `" + value + "` |";
    }
    if (n) {
      csv_text += fmt::format(",{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{},{}\n", n->train, n->test,
                              n->test_std, n->macro_f1, n->leak, n->splits, csv::escape(p.status));
      md += fmt::format(" {:.4f} | {:.4f} ± {:.4f} | {:.4f} | {:.1f}% | {} |\n", n->train, n->test,
                        n->test_std, n->macro_f1, 100.0 * n->leak, p.status);
    } else {
      csv_text += fmt::format(",,,,,,,{}\n", csv::escape(p.status));
      md += fmt::format(" | | | | {} |\n", p.status);
    }
  }
  // Choosing the best point by its test accuracy makes that accuracy an optimistic estimate; say so
  // unless every finished point has a validation score to choose by instead.
  bool all_validated = !points.empty();
  for (const SummaryPoint& p : points) {
    try {
      const auto j = nlohmann::json::parse(read_file(dir / p.name / "metrics.json"));
      all_validated = all_validated && j.contains("validation");
    } catch (const std::exception&) {
      all_validated = false;
    }
  }
  md += all_validated
            ? "\nCompare points by validation accuracy (metrics.json `validation`), not test.\n"
            : "\n⚠ Ranking on the test set: these points have no validation score "
              "(train.validation_fraction = 0 or a baseline), so picking the best by test accuracy "
              "overstates it; the report ranks them the same way and warns.\n";
  write_file_atomic(dir / "summary.csv", csv_text);
  write_file_atomic(dir / "summary.md", md);
}

}  // namespace audify
