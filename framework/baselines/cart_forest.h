// scikit-learn's RandomForestClassifier: n_trees CART trees (baselines/cart_tree.h), each on a
// bootstrap sample of the rows, sqrt(features) candidates per split by default; the forest's class
// probabilities are the mean of the trees' leaf frequencies. Trees grow in parallel; tree t draws
// everything from Philox (seed, kForest, t), so a seed gives the same forest on any thread count.
#pragma once

#include <memory>

#include "baselines/baseline_options.h"
#include "baselines/cart_tree.h"
#include "baselines/classifier.h"

namespace audify {

class CartForest final : public Classifier {
 public:
  explicit CartForest(ForestOptions options);

  std::string_view kind() const override { return "random_forest"; }
  void fit(const Matrix& x, std::span<const int> y, int n_classes) override;
  Matrix predict_proba(const Matrix& x) const override;
  std::string save() const override;  // safetensors bytes (nn/safetensors.h), one row per node
  std::string_view save_suffix() const override { return ".safetensors"; }
  int classes() const override { return n_classes_; }
  // From save()'s bytes, every index checked; `source` names them in errors.
  static std::unique_ptr<CartForest> load(std::string_view bytes, const std::string& source);

  const std::vector<CartTree>& trees() const { return trees_; }

 private:
  ForestOptions options_;
  std::vector<CartTree> trees_;
  int n_classes_ = 0;
  int n_features_ = 0;
};

// How often each of `rows` rows is drawn for tree `tree` (all ones without bootstrap).
std::vector<uint32_t> bootstrap_weights(const ForestOptions& options, std::size_t rows,
                                        PhiloxStream& rng);

}  // namespace audify
