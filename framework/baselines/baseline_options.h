// The `model.*` keys of the classical baselines (configs/model/svm_rbf.toml,
// configs/model/random_forest.toml). `bind` is the one place each key is declared.
#pragma once

#include <vector>

#include "config/options.h"

namespace audify {

// C-SVC with an RBF kernel on standardised features (libsvm), as scikit-learn's SVC.
struct SvmOptions {
  double C = 10.0;
  double gamma = 0.0;       // RBF gamma; 0 = "scale": 1 / (n_features * var(X_train standardised))
  bool probability = true;  // Platt-scaled probabilities (libsvm -b 1); false: one-hot of the vote
  double cache_mb = 200.0;  // kernel cache, MB (scikit-learn's default)
  double tol = 1e-3;        // stopping tolerance (libsvm eps)
  bool grid = false;        // choose C and gamma on an inner stratified hold-out first
  std::vector<double> grid_C = {1.0, 10.0, 100.0};
  std::vector<double> grid_gamma = {0.25, 1.0, 4.0};  // multiples of the "scale" gamma
  double grid_holdout = 0.2;                          // fraction of each class held out
  int seed = 0;  // libsvm's probability cross-validation and the grid's split
};

// A random forest. engine "cart" (baselines/cart_forest.h): scikit-learn's
// RandomForestClassifier; engine "xgboost" (baselines/xgboost_forest.h): XGBoost's random-forest
// mode, kept for comparison. Keys marked (cart) or (xgboost) apply to that engine only.
enum class ForestEngine { cart, xgboost };

struct ForestOptions {
  ForestEngine engine = ForestEngine::cart;
  int n_trees = 500;
  int max_depth = 0;              // 0 = no cap (grow until pure); xgboost: 0 = leaf-wise, slow
  double max_features = 0.0;      // fraction of features tried per split; 0 = "sqrt": sqrt(n)/n
  bool bootstrap = true;          // (cart) rows drawn with replacement; false: every row, once
  double max_samples = 1.0;       // (cart) rows drawn per tree, as a fraction of the training rows
  int min_samples_split = 2;      // (cart) least rows in a node that may be split
  int min_samples_leaf = 1;       // (cart) least rows on each side of a split
  double subsample = 0.632;       // (xgboost) rows per tree, without replacement
  double min_child_weight = 1.0;  // (xgboost) hessian mass per leaf
  double reg_lambda = 1.0;        // (xgboost) L2 on leaf values
  int max_bin = 256;              // (xgboost) histogram bins per feature
  int threads = 0;                // trees fitted in parallel; 0 = all cores
  int seed = 0;
};

void bind(OptionSchema& schema, SvmOptions& options);
void bind(OptionSchema& schema, ForestOptions& options);

}  // namespace audify
