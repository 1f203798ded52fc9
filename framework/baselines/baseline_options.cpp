// Declares the svm_rbf and random_forest model keys.
#include "baselines/baseline_options.h"

namespace audify {

void bind(OptionSchema& s, SvmOptions& o) {
  s.field("C", o.C, "soft-margin penalty");
  s.number_or_name("gamma", o.gamma, {{"scale", 0.0}},
                   "RBF width; \"scale\" = 1 / (n_features * variance of the standardised training "
                   "matrix), scikit-learn's default");
  s.field("probability", o.probability,
          "Platt-scaled probabilities (5-fold internal CV, slower); false = one-hot of the "
          "one-vs-one vote, scikit-learn's SVC.predict");
  s.field("cache_mb", o.cache_mb, "kernel cache, MB");
  s.field("tol", o.tol, "stopping tolerance of the solver");
  s.field("grid", o.grid,
          "choose C and gamma on an inner stratified hold-out before the final fit");
  s.field("grid_C", o.grid_C, "C values tried when grid = true");
  s.field("grid_gamma", o.grid_gamma,
          "gamma values tried when grid = true, as multiples of the "
          "\"scale\" gamma");
  s.field("grid_holdout", o.grid_holdout, "fraction of each class held out for the grid search");
  s.field("seed", o.seed, "seed of libsvm's probability cross-validation and of the grid's split");
}

void bind(OptionSchema& s, ForestOptions& o) {
  s.choice(
      "engine", o.engine, {{"cart", ForestEngine::cart}, {"xgboost", ForestEngine::xgboost}},
      "cart (scikit-learn's RandomForestClassifier) or xgboost (XGBoost's random-forest mode)");
  s.field("n_trees", o.n_trees, "trees in the forest");
  s.field("max_depth", o.max_depth, "depth cap; 0 = none (grow until pure)");
  s.number_or_name("max_features", o.max_features, {{"sqrt", 0.0}},
                   "fraction of features tried at each split; \"sqrt\" = sqrt(n) / n");
  s.field("bootstrap", o.bootstrap,
          "(cart) draw each tree's rows with replacement; false = every row once");
  s.field("max_samples", o.max_samples,
          "(cart) rows drawn per tree with bootstrap, as a fraction of the training rows");
  s.field("min_samples_split", o.min_samples_split, "(cart) least rows in a node that may split");
  s.field("min_samples_leaf", o.min_samples_leaf, "(cart) least rows on each side of a split");
  s.field("subsample", o.subsample,
          "(xgboost) fraction of rows per tree, drawn without replacement");
  s.field("min_child_weight", o.min_child_weight, "(xgboost) least hessian mass in a leaf");
  s.field("reg_lambda", o.reg_lambda, "(xgboost) L2 penalty on leaf values");
  s.field("max_bin", o.max_bin, "(xgboost) histogram bins per feature");
  s.field("threads", o.threads, "threads fitting trees in parallel; 0 = all cores");
  s.field("seed", o.seed, "seed of the row and feature sampling");
}

}  // namespace audify
