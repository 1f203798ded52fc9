// The CART grower. Each node holds a range of `samples_` (distinct training rows); a split
// partitions the range in place, as scikit-learn's splitter does. For each candidate feature the
// node's (rank, row) pairs are packed into one 64-bit key, so one integer sort orders them and
// the scan reads the row back from the key's low half.
#include "baselines/cart_tree.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"

namespace audify {

RankedColumns::RankedColumns(const Matrix& x) : rows_(x.rows), ranks_(x.rows * x.cols) {
  values_.resize(x.cols);
  std::vector<uint32_t> order(x.rows);
  for (std::size_t f = 0; f < x.cols; ++f) {
    for (std::size_t r = 0; r < x.rows; ++r)
      if (!std::isfinite(x(r, f)))
        fail("model random_forest: feature {} of training row {} is not finite ({})", f, r,
             x(r, f));
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return x(a, f) < x(b, f); });
    std::vector<float>& values = values_[f];
    uint32_t* rank = ranks_.data() + f * rows_;
    for (const uint32_t r : order) {
      if (values.empty() || x(r, f) != values.back()) values.push_back(x(r, f));
      rank[r] = static_cast<uint32_t>(values.size() - 1);
    }
  }
}

const float* CartTree::proba(std::span<const float> x) const {
  const CartNode* node = &nodes[0];
  while (node->feature >= 0)
    node = &nodes[static_cast<std::size_t>(
        x[static_cast<std::size_t>(node->feature)] <= node->threshold ? node->left : node->right)];
  return leaf_proba.data() +
         static_cast<std::size_t>(node->left) * static_cast<std::size_t>(classes);
}

namespace {

struct BestSplit {
  int feature = -1;
  uint32_t rank_left = 0;   // the largest rank that goes left
  uint32_t rank_right = 0;  // the smallest rank that goes right
  double score = -std::numeric_limits<double>::infinity();
};

uint32_t rank_of(uint64_t key) {
  return static_cast<uint32_t>(key >> 32);
}
uint32_t row_of(uint64_t key) {
  return static_cast<uint32_t>(key);
}

class TreeGrower {
 public:
  TreeGrower(const RankedColumns& x, std::span<const int> y, int classes,
             std::span<const uint32_t> weight, const CartOptions& options, PhiloxStream& rng)
      : x_(x),
        y_(y),
        weight_(weight),
        options_(options),
        rng_(rng),
        features_(x.features()),
        counts_(static_cast<std::size_t>(classes)),
        left_(static_cast<std::size_t>(classes)),
        right_(static_cast<std::size_t>(classes)) {
    for (uint32_t r = 0; r < x.rows(); ++r)
      if (weight[r] > 0) samples_.push_back(r);
    keys_.resize(samples_.size());
    tree_.classes = classes;
  }

  CartTree grow() {
    AUDIFY_ASSERT(!samples_.empty());
    struct Task {
      uint32_t start, end;
      int depth;
      std::size_t node;
    };
    std::vector<Task> stack{{0, static_cast<uint32_t>(samples_.size()), 0, 0}};
    tree_.nodes.emplace_back();
    while (!stack.empty()) {
      const Task task = stack.back();
      stack.pop_back();
      const uint64_t total = count_classes(task.start, task.end);
      const uint32_t n = task.end - task.start;
      const bool pure = std::ranges::any_of(counts_, [&](uint64_t c) { return c == total; });
      const bool may_split = !pure &&
                             (options_.max_depth <= 0 || task.depth < options_.max_depth) &&
                             n >= static_cast<uint32_t>(std::max(options_.min_samples_split,
                                                                 2 * options_.min_samples_leaf));
      const BestSplit split = may_split ? best_split(task.start, task.end, total) : BestSplit{};
      if (split.feature < 0) {
        make_leaf(task.node, total);
        continue;
      }
      const uint32_t* column = x_.column(static_cast<std::size_t>(split.feature));
      const uint32_t mid = static_cast<uint32_t>(
          std::partition(samples_.begin() + task.start, samples_.begin() + task.end,
                         [&](uint32_t r) { return column[r] <= split.rank_left; }) -
          samples_.begin());
      const std::size_t left = tree_.nodes.size();
      tree_.nodes.resize(left + 2);
      CartNode& node = tree_.nodes[task.node];
      node.feature = split.feature;
      node.threshold = threshold(split);
      node.left = static_cast<int32_t>(left);
      node.right = static_cast<int32_t>(left + 1);
      stack.push_back({mid, task.end, task.depth + 1, left + 1});
      stack.push_back({task.start, mid, task.depth + 1, left});
    }
    tree_.nodes.shrink_to_fit();  // 500 trees: the growth slack would be a third of the forest
    tree_.leaf_proba.shrink_to_fit();
    return std::move(tree_);
  }

 private:
  // Fills counts_ with the weighted class counts of samples_[start, end); returns their sum.
  uint64_t count_classes(uint32_t start, uint32_t end) {
    std::ranges::fill(counts_, 0);
    uint64_t total = 0;
    for (uint32_t i = start; i < end; ++i) {
      const uint32_t r = samples_[i];
      counts_[static_cast<std::size_t>(y_[r])] += weight_[r];
      total += weight_[r];
    }
    return total;
  }

  void make_leaf(std::size_t node, uint64_t total) {
    const std::size_t leaf = tree_.leaves();
    tree_.nodes[node] = CartNode{-1, 0.0f, static_cast<int32_t>(leaf), 0};
    for (const uint64_t c : counts_)
      tree_.leaf_proba.push_back(static_cast<float>(static_cast<double>(c) / double(total)));
  }

  // scikit-learn's midpoint, falling back to the left value where float rounding reaches the
  // right one, so that the left value goes left and the right value right.
  float threshold(const BestSplit& s) const {
    const auto f = static_cast<std::size_t>(s.feature);
    const float a = x_.value(f, s.rank_left), b = x_.value(f, s.rank_right);
    const auto mid = static_cast<float>(double(a) / 2.0 + double(b) / 2.0);
    return mid >= b || !std::isfinite(mid) ? a : mid;
  }

  // scikit-learn's draw: max_features candidates without replacement, constant ones included,
  // but drawing on until one non-constant feature has been seen.
  BestSplit best_split(uint32_t start, uint32_t end, uint64_t total) {
    std::iota(features_.begin(), features_.end(), 0u);
    const auto n_features = static_cast<uint32_t>(features_.size());
    BestSplit best;
    int visited = 0, non_constant = 0;
    for (uint32_t drawn = 0;
         drawn < n_features && (visited < options_.max_features || non_constant == 0); ++drawn) {
      std::swap(features_[drawn], features_[drawn + rng_.below(n_features - drawn)]);
      ++visited;
      if (scan_feature(features_[drawn], start, end, total, best)) ++non_constant;
    }
    return best;
  }

  // Sorts the node by one feature and tries every boundary between distinct values; returns
  // false for a feature constant in the node.
  bool scan_feature(uint32_t f, uint32_t start, uint32_t end, uint64_t total, BestSplit& best) {
    const uint32_t* column = x_.column(f);
    uint32_t lo = std::numeric_limits<uint32_t>::max(), hi = 0;
    for (uint32_t i = start; i < end; ++i) {
      const uint32_t r = samples_[i], rank = column[r];
      keys_[i] = (static_cast<uint64_t>(rank) << 32) | r;
      lo = std::min(lo, rank);
      hi = std::max(hi, rank);
    }
    if (lo == hi) return false;
    std::sort(keys_.begin() + start, keys_.begin() + end);
    // Gini's proxy (scikit-learn's proxy_impurity_improvement up to a constant): the sum of
    // squared class weights over the side's weight, summed over both sides. Integer weights keep
    // the running sums exact.
    std::ranges::fill(left_, 0);
    std::ranges::copy(counts_, right_.begin());
    int64_t square_left = 0, square_right = 0;
    for (const uint64_t c : counts_) square_right += static_cast<int64_t>(c * c);
    uint64_t weight_left = 0;
    const auto min_leaf = static_cast<uint32_t>(options_.min_samples_leaf);
    for (uint32_t p = start; p + 1 < end; ++p) {
      const uint32_t r = row_of(keys_[p]);
      const auto k = static_cast<std::size_t>(y_[r]);
      const auto w = static_cast<int64_t>(weight_[r]);
      square_left += (2 * static_cast<int64_t>(left_[k]) + w) * w;
      square_right += (w - 2 * static_cast<int64_t>(right_[k])) * w;
      left_[k] += weight_[r];
      right_[k] -= weight_[r];
      weight_left += weight_[r];
      if (rank_of(keys_[p + 1]) == rank_of(keys_[p])) continue;
      if (p + 1 - start < min_leaf || end - p - 1 < min_leaf) continue;
      const double score = double(square_left) / double(weight_left) +
                           double(square_right) / double(total - weight_left);
      if (score > best.score)
        best = {static_cast<int>(f), rank_of(keys_[p]), rank_of(keys_[p + 1]), score};
    }
    return true;
  }

  const RankedColumns& x_;
  std::span<const int> y_;
  std::span<const uint32_t> weight_;
  const CartOptions& options_;
  PhiloxStream& rng_;
  std::vector<uint32_t> samples_;  // distinct rows, grouped by node
  std::vector<uint64_t> keys_;     // (rank << 32 | row) of the node being scanned
  std::vector<uint32_t> features_;
  std::vector<uint64_t> counts_, left_, right_;  // weighted class counts: node, left, right side
  CartTree tree_;
};

}  // namespace

CartTree grow_tree(const RankedColumns& x, std::span<const int> y, int classes,
                   std::span<const uint32_t> weight, const CartOptions& options,
                   PhiloxStream& rng) {
  AUDIFY_ASSERT(y.size() == x.rows() && weight.size() == x.rows() && classes > 0);
  AUDIFY_ASSERT(options.max_features >= 1 && options.min_samples_leaf >= 1);
  return TreeGrower(x, y, classes, weight, options, rng).grow();
}

}  // namespace audify
