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

// A random forest through XGBoost's random-forest mode (one boosting round of n_trees parallel
// trees, learning rate 1, row and per-node column subsampling).
struct ForestOptions {
  int n_trees = 500;
  int max_depth = 12;  // 0 = no cap (leaf-wise growth); deep caps cost minutes (see the .toml)
  double max_features = 0.0;  // fraction of features tried per split; 0 = "sqrt": sqrt(n)/n
  double subsample = 0.632;   // rows per tree, drawn without replacement (XGBoost cannot bootstrap)
  double min_child_weight = 1.0;  // hessian mass per leaf (XGBoost default)
  double reg_lambda = 1.0;        // L2 on leaf values (XGBoost default)
  int max_bin = 256;              // histogram bins per feature (tree_method = hist)
  int threads = 0;                // 0 = XGBoost's default (all cores)
  int seed = 0;
};

void bind(OptionSchema& schema, SvmOptions& options);
void bind(OptionSchema& schema, ForestOptions& options);

}  // namespace audify
