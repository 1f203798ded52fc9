// The forest around the CART grower: option checks, the bootstrap, trees on a thread pool, the
// averaged prediction and the safetensors form. Node fields are stored as F32 (safetensors here
// holds F32 only); every index is below 2^24, so they round-trip exactly.
#include "baselines/cart_forest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "core/error.h"
#include "core/parallel_jobs.h"
#include "core/progress.h"
#include "nn/safetensors.h"

namespace audify {
namespace {

int thread_count(int requested, std::size_t jobs) {
  const unsigned hw = std::thread::hardware_concurrency();
  const int wanted = requested > 0 ? requested : static_cast<int>(std::max(hw, 1u));
  return static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(wanted), jobs));
}

void check_options(const ForestOptions& o) {
  if (o.n_trees < 1) fail("model.n_trees: {} must be >= 1", o.n_trees);
  if (o.max_depth < 0) fail("model.max_depth: {} must be >= 0 (0 = no cap)", o.max_depth);
  if (!(o.max_features >= 0.0 && o.max_features <= 1.0))
    fail("model.max_features: {} must be \"sqrt\" or a fraction in (0, 1]", o.max_features);
  if (!(o.max_samples > 0.0 && o.max_samples <= 1.0))
    fail("model.max_samples: {} must be in (0, 1]", o.max_samples);
  if (o.min_samples_split < 2)
    fail("model.min_samples_split: {} must be >= 2", o.min_samples_split);
  if (o.min_samples_leaf < 1) fail("model.min_samples_leaf: {} must be >= 1", o.min_samples_leaf);
}

// scikit-learn's max_features: "sqrt" = int(sqrt(n)), a fraction f = int(f * n), at least 1.
int candidate_features(double fraction, std::size_t n) {
  const double count =
      fraction > 0.0 ? std::floor(fraction * double(n)) : std::floor(std::sqrt(double(n)));
  return std::max(1, static_cast<int>(count));
}

}  // namespace

std::vector<uint32_t> bootstrap_weights(const ForestOptions& options, std::size_t rows,
                                        PhiloxStream& rng) {
  if (!options.bootstrap) return std::vector<uint32_t>(rows, 1u);
  std::vector<uint32_t> weight(rows, 0u);
  const auto draws =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::round(options.max_samples * rows)));
  for (std::size_t i = 0; i < draws; ++i) ++weight[rng.below(static_cast<uint32_t>(rows))];
  return weight;
}

CartForest::CartForest(ForestOptions options) : options_(options) {}

void CartForest::fit(const Matrix& x, std::span<const int> y, int n_classes) {
  AUDIFY_ASSERT(x.rows == y.size() && x.rows > 0 && n_classes > 0);
  check_labels(y, n_classes, kind());
  check_options(options_);
  if (x.rows >= (1u << 24)) fail("model random_forest: {} rows exceed 2^24", x.rows);
  const RankedColumns ranked(x);
  CartOptions tree_options;
  tree_options.max_depth = options_.max_depth;
  tree_options.min_samples_split = options_.min_samples_split;
  tree_options.min_samples_leaf = options_.min_samples_leaf;
  tree_options.max_features = candidate_features(options_.max_features, x.cols);
  std::vector<CartTree> trees(static_cast<std::size_t>(options_.n_trees));
  Progress progress("random forest", trees.size(), "trees");
  parallel_jobs(trees.size(), thread_count(options_.threads, trees.size()), [&](std::size_t t) {
    PhiloxStream rng(static_cast<uint64_t>(static_cast<uint32_t>(options_.seed)),
                     RandomStream::kForest, static_cast<uint32_t>(t));
    const std::vector<uint32_t> weight = bootstrap_weights(options_, x.rows, rng);
    trees[t] = grow_tree(ranked, y, n_classes, weight, tree_options, rng);
    progress.tick();
  });
  progress.finish();
  trees_ = std::move(trees);
  n_classes_ = n_classes;
  n_features_ = static_cast<int>(x.cols);
}

Matrix CartForest::predict_proba(const Matrix& x) const {
  AUDIFY_ASSERT(!trees_.empty());
  if (x.cols != static_cast<std::size_t>(n_features_))
    fail("model random_forest: {} features given, {} learnt at fit time", x.cols, n_features_);
  const auto classes = static_cast<std::size_t>(n_classes_);
  Matrix p(x.rows, classes);
  constexpr std::size_t kBlock = 64;  // rows per job: a block's rows walk each tree while it is hot
  const std::size_t blocks = (x.rows + kBlock - 1) / kBlock;
  parallel_jobs(blocks, thread_count(options_.threads, blocks), [&](std::size_t b) {
    const std::size_t end = std::min(x.rows, (b + 1) * kBlock);
    std::vector<double> sum((end - b * kBlock) * classes, 0.0);
    for (const CartTree& tree : trees_)
      for (std::size_t r = b * kBlock; r < end; ++r) {
        const float* leaf = tree.proba(x.row(r));
        double* out = sum.data() + (r - b * kBlock) * classes;
        for (std::size_t c = 0; c < classes; ++c) out[c] += leaf[c];
      }
    for (std::size_t i = 0; i < sum.size(); ++i)
      p.data[b * kBlock * classes + i] = static_cast<float>(sum[i] / double(trees_.size()));
  });
  return p;
}

std::string CartForest::save() const {
  AUDIFY_ASSERT(!trees_.empty());
  nn::SafetensorsFile st;
  st.metadata = {{"format", "audify.cart_forest"},
                 {"classes", std::to_string(n_classes_)},
                 {"features", std::to_string(n_features_)}};
  nn::Tensor nodes, leaves, sizes;
  for (const CartTree& tree : trees_) {
    for (const CartNode& n : tree.nodes)
      nodes.data.insert(nodes.data.end(),
                        {static_cast<float>(n.feature), n.threshold, static_cast<float>(n.left),
                         static_cast<float>(n.right)});
    leaves.data.insert(leaves.data.end(), tree.leaf_proba.begin(), tree.leaf_proba.end());
    sizes.data.push_back(static_cast<float>(tree.nodes.size()));
    sizes.data.push_back(static_cast<float>(tree.leaves()));
  }
  nodes.shape = {static_cast<int64_t>(nodes.data.size() / 4), 4};
  leaves.shape = {static_cast<int64_t>(leaves.data.size()) / n_classes_, n_classes_};
  sizes.shape = {static_cast<int64_t>(trees_.size()), 2};
  st.tensors = {{"nodes", std::move(nodes)},
                {"leaf_proba", std::move(leaves)},
                {"tree_sizes", std::move(sizes)}};
  return nn::encode_safetensors(st);
}

namespace {

int metadata_int(const nn::SafetensorsFile& st, const std::string& key, const std::string& source) {
  const auto it = st.metadata.find(key);
  int value = 0;
  if (it == st.metadata.end() || std::sscanf(it->second.c_str(), "%d", &value) != 1 || value < 1)
    fail("{}: random forest metadata '{}' is missing or not a positive integer", source, key);
  return value;
}

// An F32 that must hold an integer in [lo, hi).
int32_t index_in(float v, int64_t lo, int64_t hi, const char* what, const std::string& source) {
  if (!(v >= float(lo) && v < float(hi)) || v != std::floor(v))
    fail("{}: random forest {} {} is outside [{}, {})", source, what, v, lo, hi);
  return static_cast<int32_t>(v);
}

}  // namespace

std::unique_ptr<CartForest> CartForest::load(std::string_view bytes, const std::string& source) {
  const nn::SafetensorsFile st = nn::decode_safetensors(std::string(bytes), source);
  const auto format = st.metadata.find("format");
  if (format == st.metadata.end() || format->second != "audify.cart_forest")
    fail("{}: not an Audify random forest (metadata format != audify.cart_forest)", source);
  auto forest = std::make_unique<CartForest>(ForestOptions{});
  forest->n_classes_ = metadata_int(st, "classes", source);
  forest->n_features_ = metadata_int(st, "features", source);
  const nn::Tensor &nodes = st.at("nodes"), &leaves = st.at("leaf_proba"),
                   &sizes = st.at("tree_sizes");
  const auto classes = static_cast<std::size_t>(forest->n_classes_);
  if (nodes.shape.size() != 2 || nodes.shape[1] != 4 || leaves.shape.size() != 2 ||
      leaves.shape[1] != forest->n_classes_ || sizes.shape.size() != 2 || sizes.shape[1] != 2 ||
      sizes.shape[0] < 1)
    fail("{}: random forest tensors have the wrong shapes", source);
  std::size_t node_at = 0, leaf_at = 0;
  for (int64_t t = 0; t < sizes.shape[0]; ++t) {
    CartTree tree;
    tree.classes = forest->n_classes_;
    const auto n_nodes = static_cast<std::size_t>(index_in(
        sizes.data[2 * t], 1, nodes.shape[0] - int64_t(node_at) + 1, "tree node count", source));
    const auto n_leaves = static_cast<std::size_t>(index_in(sizes.data[2 * t + 1], 1,
                                                            leaves.shape[0] - int64_t(leaf_at) + 1,
                                                            "tree leaf count", source));
    for (std::size_t i = 0; i < n_nodes; ++i) {
      const float* f = nodes.data.data() + 4 * (node_at + i);
      CartNode n;
      n.feature = index_in(f[0], -1, forest->n_features_, "feature", source);
      n.threshold = f[1];
      // Children come after their parent, so a walk always ends.
      if (n.feature < 0) {
        n.left = index_in(f[2], 0, int64_t(n_leaves), "leaf", source);
      } else {
        n.left = index_in(f[2], int64_t(i) + 1, int64_t(n_nodes), "child", source);
        n.right = index_in(f[3], int64_t(i) + 1, int64_t(n_nodes), "child", source);
      }
      tree.nodes.push_back(n);
    }
    tree.leaf_proba.assign(leaves.data.begin() + std::ptrdiff_t(leaf_at * classes),
                           leaves.data.begin() + std::ptrdiff_t((leaf_at + n_leaves) * classes));
    node_at += n_nodes;
    leaf_at += n_leaves;
    forest->trees_.push_back(std::move(tree));
  }
  if (node_at != nodes.data.size() / 4 || leaf_at * classes != leaves.data.size())
    fail("{}: random forest tensors hold more nodes or leaves than its trees", source);
  return forest;
}

}  // namespace audify
