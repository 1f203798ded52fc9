// One classification tree grown as scikit-learn's DecisionTreeClassifier grows each tree of a
// RandomForestClassifier: best-first over candidate features drawn per node, Gini impurity, exact
// thresholds (the midpoint between adjacent distinct values in the node), leaves holding the
// weighted class frequencies of their training rows.
//
// Splits are exact, not histogram-binned: every feature is replaced once by its rank among the
// training values (RankedColumns), so each node sorts small integer keys instead of floats and
// scans them; thresholds come back from the rank to the real midpoint. This costs no accuracy
// against scikit-learn's per-node float sort.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/matrix.h"
#include "core/philox.h"

namespace audify {

// The training matrix column by column as ranks: rank(f, r) indexes the sorted distinct values of
// feature f, so that rank order is value order and equal values share a rank.
class RankedColumns {
 public:
  explicit RankedColumns(const Matrix& x);
  std::size_t rows() const { return rows_; }
  std::size_t features() const { return values_.size(); }
  const uint32_t* column(std::size_t f) const { return ranks_.data() + f * rows_; }
  float value(std::size_t f, uint32_t rank) const { return values_[f][rank]; }

 private:
  std::size_t rows_ = 0;
  std::vector<uint32_t> ranks_;             // (features, rows)
  std::vector<std::vector<float>> values_;  // per feature, its sorted distinct values
};

struct CartOptions {
  int max_depth = 0;          // 0 = none
  int min_samples_split = 2;  // least distinct rows in a node that may be split
  int min_samples_leaf = 1;   // least distinct rows on each side of a split
  int max_features = 1;       // candidate features per node (constant ones included, as sklearn)
};

struct CartNode {
  int32_t feature = -1;  // -1: a leaf
  float threshold = 0;   // rows with x[feature] <= threshold go left
  int32_t left = 0;      // child index; for a leaf, its row in CartTree::leaf_proba
  int32_t right = 0;
};

struct CartTree {
  std::vector<CartNode> nodes;    // nodes[0] is the root
  std::vector<float> leaf_proba;  // (leaves, classes), each row sums to 1
  int classes = 0;

  std::size_t leaves() const { return classes ? leaf_proba.size() / classes : 0; }
  const float* proba(std::span<const float> x) const;  // the leaf row that x falls into
};

// Grows one tree on the rows with weight > 0 (weight = how often the bootstrap drew the row).
// `rng` draws the candidate features of every node.
CartTree grow_tree(const RankedColumns& x, std::span<const int> y, int classes,
                   std::span<const uint32_t> weight, const CartOptions& options, PhiloxStream& rng);

}  // namespace audify
