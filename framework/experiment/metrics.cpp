// Classification metrics (see metrics.h), defined as scikit-learn defines them so that the numbers
// compare with the seed study's: precision/recall/F1 with zero_division=0, and macro-F1 averaged
// over the labels that occur in the truth or the predictions (f1_score's default `labels`).
#include "experiment/metrics.h"

#include <cmath>

#include "core/error.h"
#include "core/statistics.h"

namespace audify {

ClassificationMetrics evaluate(std::span<const int> truth, std::span<const int> predicted,
                               int n_classes) {
  if (truth.size() != predicted.size())
    fail("metrics: {} true labels but {} predictions", truth.size(), predicted.size());
  if (n_classes <= 0) fail("metrics: {} classes", n_classes);
  ClassificationMetrics m;
  m.count = static_cast<int>(truth.size());
  m.confusion.assign(n_classes, std::vector<int>(n_classes, 0));
  int correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const int t = truth[i], p = predicted[i];
    if (t < 0 || t >= n_classes || p < 0 || p >= n_classes)
      fail("metrics: sample {}: label {} / prediction {} outside 0..{}", i, t, p, n_classes - 1);
    ++m.confusion[t][p];
    correct += t == p;
  }
  m.accuracy = m.count ? double(correct) / m.count : 0.0;

  m.per_class.resize(n_classes);
  double f1_sum = 0;
  int labels = 0;
  for (int c = 0; c < n_classes; ++c) {
    int support = 0, predicted_c = 0;
    for (int k = 0; k < n_classes; ++k) {
      support += m.confusion[c][k];
      predicted_c += m.confusion[k][c];
    }
    const int tp = m.confusion[c][c];
    ClassMetrics& cm = m.per_class[c];
    cm.support = support;
    cm.precision = predicted_c ? double(tp) / predicted_c : 0.0;
    cm.recall = support ? double(tp) / support : 0.0;
    // 2tp / (2tp + fp + fn): sklearn's form, 0 when the class is neither true nor predicted.
    const int denom = support + predicted_c;
    cm.f1 = denom ? 2.0 * tp / denom : 0.0;
    if (denom) {
      f1_sum += cm.f1;
      ++labels;
    }
  }
  m.macro_f1 = labels ? f1_sum / labels : 0.0;
  return m;
}

MeanStd mean_std(std::span<const double> values) {
  const stats::Sample s = stats::describe(values);
  const stats::Interval ci = stats::mean_ci95(s);
  return {s.mean, s.sd, ci.low, ci.high};
}

nlohmann::json to_json(const ClassificationMetrics& m,
                       const std::vector<std::string>& class_names) {
  nlohmann::json per_class = nlohmann::json::object();
  for (std::size_t c = 0; c < m.per_class.size(); ++c) {
    const ClassMetrics& cm = m.per_class[c];
    // A class without a name (a table with empty class cells) is keyed by its id.
    const std::string name =
        c < class_names.size() && !class_names[c].empty() ? class_names[c] : std::to_string(c);
    per_class[name] = {
        {"precision", cm.precision}, {"recall", cm.recall}, {"f1", cm.f1}, {"support", cm.support}};
  }
  return {{"accuracy", m.accuracy},
          {"macro_f1", m.macro_f1},
          {"count", m.count},
          {"per_class", per_class},
          {"confusion", m.confusion}};
}

}  // namespace audify
