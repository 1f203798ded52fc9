// A random forest through XGBoost's random-forest mode (C API): one boosting round growing
// n_trees parallel trees, learning rate 1 (XGBoost averages the trees of a round), rows subsampled
// without replacement and sqrt(n) features tried per split. Differences from scikit-learn's
// XgboostForestClassifier: rows are subsampled (XGBoost cannot bootstrap), splits come from
// 256-bin histograms, and leaves hold Newton steps of the softmax loss, not class frequencies, so
// probabilities are a softmax of the averaged leaf values rather than averaged votes.
#pragma once

#include "baselines/baseline_options.h"
#include "baselines/classifier.h"

namespace audify {

class XgboostForest final : public Classifier {
 public:
  explicit XgboostForest(ForestOptions options);
  ~XgboostForest() override;
  XgboostForest(const XgboostForest&) = delete;
  XgboostForest& operator=(const XgboostForest&) = delete;

  std::string_view kind() const override { return "random_forest"; }
  void fit(const Matrix& x, std::span<const int> y, int n_classes) override;
  Matrix predict_proba(const Matrix& x) const override;
  std::string save() const override;  // XGBoost's JSON model
  int classes() const override { return n_classes_; }
  // From save()'s XGBoost JSON; `source` names it in errors.
  static std::unique_ptr<XgboostForest> load(std::string_view bytes, const std::string& source);

 private:
  ForestOptions options_;
  void* booster_ = nullptr;  // BoosterHandle; XGBoost's header stays out of this one
  int n_classes_ = 0;
};

}  // namespace audify
