// The CART random forest (baselines/cart_tree.h, cart_forest.h): the Gini split a hand computation
// picks, thresholds at scikit-learn's midpoints, leaves holding class frequencies, the bootstrap
// reproducible per tree, separable data learnt exactly, the same forest on any thread count, and
// a save/load round trip that rejects corrupt bytes.
#include <gtest/gtest.h>

#include <random>

#include "baselines/cart_forest.h"
#include "baselines/cart_tree.h"
#include "baselines/random_forest.h"
#include "core/error.h"
#include "nn/safetensors.h"

namespace audify {
namespace {

// Matrix from rows of values.
Matrix matrix(std::initializer_list<std::initializer_list<float>> rows) {
  Matrix m(rows.size(), rows.begin()->size());
  std::size_t r = 0;
  for (const auto& row : rows) {
    std::size_t c = 0;
    for (float v : row) m(r, c++) = v;
    ++r;
  }
  return m;
}

CartTree grow(const Matrix& x, const std::vector<int>& y, int classes, int max_depth,
              int max_features) {
  const RankedColumns ranked(x);
  CartOptions o;
  o.max_depth = max_depth;
  o.max_features = max_features;
  PhiloxStream rng(1, RandomStream::kForest, 0);
  const std::vector<uint32_t> weight(x.rows, 1u);
  return grow_tree(ranked, y, classes, weight, o, rng);
}

TEST(CartTree, RanksKeepValueOrderAndShareTies) {
  const Matrix x = matrix({{3.0f}, {-1.0f}, {3.0f}, {0.5f}});
  const RankedColumns ranked(x);
  const uint32_t* rank = ranked.column(0);
  EXPECT_EQ(rank[0], 2u);
  EXPECT_EQ(rank[1], 0u);
  EXPECT_EQ(rank[2], 2u);
  EXPECT_EQ(rank[3], 1u);
  EXPECT_EQ(ranked.value(0, 1), 0.5f);
}

// Feature 0 sorted gives labels 0 0 1 0 1 1: by hand the weighted child Gini of its boundaries
// is 0.400, 0.250, 0.444, 0.250, 0.400. Feature 1 sorted gives 0 0 0 1 1 1: Gini 0 between 30 and
// 60. With both features candidates, the root must split feature 1 at 45 into pure leaves.
TEST(CartTree, PicksTheGiniBestSplitAtTheMidpoint) {
  const Matrix x = matrix({{1, 10}, {2, 20}, {3, 60}, {4, 30}, {5, 70}, {6, 80}});
  const std::vector<int> y = {0, 0, 1, 0, 1, 1};
  const CartTree tree = grow(x, y, 2, 0, 2);
  ASSERT_EQ(tree.nodes.size(), 3u);
  EXPECT_EQ(tree.nodes[0].feature, 1);
  EXPECT_EQ(tree.nodes[0].threshold, 45.0f);
  EXPECT_EQ(tree.proba(std::vector<float>{0.0f, 45.0f})[0], 1.0f);
  EXPECT_EQ(tree.proba(std::vector<float>{0.0f, 45.5f})[1], 1.0f);
}

// Feature 0 alone, depth 1: the boundaries after 2 and after 4 tie at 0.250; the first is kept
// (scikit-learn's strict improvement), leaving {0, 0} and {1, 0, 1, 1}.
TEST(CartTree, OneFeatureGivesTheHandComputedSplit) {
  const Matrix x = matrix({{1}, {2}, {3}, {4}, {5}, {6}});
  const std::vector<int> y = {0, 0, 1, 0, 1, 1};
  const CartTree tree = grow(x, y, 2, 1, 1);
  ASSERT_EQ(tree.nodes.size(), 3u);
  EXPECT_EQ(tree.nodes[0].feature, 0);
  EXPECT_EQ(tree.nodes[0].threshold, 2.5f);
  EXPECT_EQ(tree.proba(std::vector<float>{2.0f})[0], 1.0f);
  EXPECT_EQ(tree.proba(std::vector<float>{2.6f})[0], 0.25f);
  EXPECT_EQ(tree.proba(std::vector<float>{2.6f})[1], 0.75f);
}

TEST(CartTree, GrowsUntilPureWithoutADepthCap) {
  const Matrix x = matrix({{1}, {2}, {3}, {4}, {5}, {6}});
  const std::vector<int> y = {0, 1, 0, 1, 0, 1};
  const CartTree tree = grow(x, y, 2, 0, 1);
  EXPECT_EQ(tree.leaves(), 6u);
  for (int r = 0; r < 6; ++r)
    EXPECT_EQ(tree.proba(std::vector<float>{float(r + 1)})[y[r]], 1.0f) << r;
}

TEST(CartTree, ThresholdNeverReachesTheRightValue) {
  // Adjacent floats: their midpoint rounds to one of them; the left value must still go left.
  const float a = 1.0f, b = std::nextafter(1.0f, 2.0f);
  const CartTree tree = grow(matrix({{a}, {b}}), {0, 1}, 2, 0, 1);
  ASSERT_EQ(tree.nodes.size(), 3u);
  EXPECT_EQ(tree.proba(std::vector<float>{a})[0], 1.0f);
  EXPECT_EQ(tree.proba(std::vector<float>{b})[1], 1.0f);
}

struct Blobs {
  Matrix x;
  std::vector<int> y;
};

Blobs blobs(std::size_t rows, unsigned seed, float separation) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Blobs d{Matrix(rows, 8), {}};
  for (std::size_t r = 0; r < rows; ++r) {
    const int c = static_cast<int>(r % 4);
    d.y.push_back(c);
    for (std::size_t f = 0; f < 8; ++f) d.x(r, f) = normal(rng);
    d.x(r, static_cast<std::size_t>(c)) += separation;
  }
  return d;
}

ForestOptions forest_options(int trees, int threads, int seed) {
  ForestOptions o;
  o.n_trees = trees;
  o.threads = threads;
  o.seed = seed;
  return o;
}

TEST(CartForest, BootstrapIsADrawWithReplacementFixedByTheTree) {
  const ForestOptions o = forest_options(1, 1, 5);
  PhiloxStream a(5, RandomStream::kForest, 3), b(5, RandomStream::kForest, 3),
      c(5, RandomStream::kForest, 4);
  const std::vector<uint32_t> wa = bootstrap_weights(o, 1000, a),
                              wb = bootstrap_weights(o, 1000, b),
                              wc = bootstrap_weights(o, 1000, c);
  EXPECT_EQ(wa, wb);
  EXPECT_NE(wa, wc);
  uint32_t total = 0, distinct = 0, repeated = 0;
  for (uint32_t w : wa) {
    total += w;
    distinct += w > 0;
    repeated += w > 1;
  }
  EXPECT_EQ(total, 1000u);
  EXPECT_NEAR(distinct, 632, 45);  // 1 - 1/e of the rows, ~15 standard deviations of room
  EXPECT_GT(repeated, 0u);
  ForestOptions no_bootstrap = o;
  no_bootstrap.bootstrap = false;
  EXPECT_EQ(bootstrap_weights(no_bootstrap, 4, a), std::vector<uint32_t>(4, 1u));
}

TEST(CartForest, LearnsSeparableDataExactlyWithProbabilitiesSummingToOne) {
  const Blobs train = blobs(400, 1, 20.0f), test = blobs(200, 2, 20.0f);
  CartForest forest(forest_options(30, 2, 0));
  forest.fit(train.x, train.y, 4);
  for (const Blobs* d : {&train, &test}) {
    const Matrix p = forest.predict_proba(d->x);
    ASSERT_EQ(p.cols, 4u);
    const std::vector<int> predicted = argmax_rows(p);
    for (std::size_t r = 0; r < p.rows; ++r) {
      float sum = 0;
      for (float v : p.row(r)) {
        EXPECT_GE(v, 0.0f);
        sum += v;
      }
      EXPECT_NEAR(sum, 1.0f, 1e-5f) << r;
      EXPECT_EQ(predicted[r], d->y[r]) << r;
    }
  }
}

TEST(CartForest, SameSeedSameForestOnAnyThreadCount) {
  const Blobs train = blobs(500, 3, 1.0f), test = blobs(100, 4, 1.0f);
  CartForest one(forest_options(24, 1, 9)), three(forest_options(24, 3, 9)),
      other(forest_options(24, 3, 10));
  one.fit(train.x, train.y, 4);
  three.fit(train.x, train.y, 4);
  other.fit(train.x, train.y, 4);
  EXPECT_EQ(one.save(), three.save());
  EXPECT_EQ(one.predict_proba(test.x).data, three.predict_proba(test.x).data);
  EXPECT_NE(one.save(), other.save());
  // Unbounded trees on overlapping blobs: leaves are pure.
  for (const CartTree& tree : one.trees())
    for (std::size_t l = 0; l < tree.leaves(); ++l)
      EXPECT_EQ(*std::max_element(tree.leaf_proba.begin() + 4 * std::ptrdiff_t(l),
                                  tree.leaf_proba.begin() + 4 * std::ptrdiff_t(l + 1)),
                1.0f);
}

TEST(CartForest, SaveLoadRoundTripAndCorruptBytes) {
  const Blobs train = blobs(300, 5, 1.5f), test = blobs(100, 6, 1.5f);
  CartForest forest(forest_options(10, 2, 1));
  forest.fit(train.x, train.y, 4);
  const std::string bytes = forest.save();
  const std::unique_ptr<Classifier> loaded = load_random_forest(bytes, "forest");
  EXPECT_EQ(loaded->classes(), 4);
  EXPECT_EQ(loaded->predict_proba(test.x).data, forest.predict_proba(test.x).data);
  EXPECT_EQ(loaded->save(), bytes);
  // A child index pointing back at the root would loop forever: refused.
  nn::SafetensorsFile st = nn::decode_safetensors(bytes, "forest");
  nn::Tensor& nodes = st.tensors.at("nodes");
  ASSERT_GE(nodes.data[0], 0.0f);  // the root of tree 0 is a split
  nodes.data[2] = 0.0f;
  EXPECT_THROW(load_random_forest(nn::encode_safetensors(st), "looped"), Error);
  EXPECT_THROW(load_random_forest(bytes.substr(0, bytes.size() / 2), "cut"), Error);
}

TEST(RandomForest, XgboostEngineStaysAvailableAndLoadsBack) {
  const Blobs train = blobs(300, 8, 5.0f), test = blobs(100, 9, 5.0f);
  ForestOptions o = forest_options(10, 1, 0);
  o.engine = ForestEngine::xgboost;
  o.max_depth = 6;
  const std::unique_ptr<Classifier> forest = make_random_forest(o);
  EXPECT_EQ(dynamic_cast<CartForest*>(forest.get()), nullptr);
  forest->fit(train.x, train.y, 4);
  EXPECT_EQ(forest->save_suffix(), ".json");
  const std::unique_ptr<Classifier> loaded = load_random_forest(forest->save(), "xgboost");
  EXPECT_EQ(loaded->predict_proba(test.x).data, forest->predict_proba(test.x).data);
  std::size_t hits = 0;
  const std::vector<int> predicted = argmax_rows(loaded->predict_proba(test.x));
  for (std::size_t i = 0; i < predicted.size(); ++i) hits += predicted[i] == test.y[i];
  EXPECT_GT(hits, 90u);
}

TEST(CartForest, BadOptionsAndFeaturesAreNamed) {
  const Blobs train = blobs(40, 7, 1.0f);
  ForestOptions o = forest_options(5, 1, 0);
  o.min_samples_leaf = 0;
  try {
    CartForest(o).fit(train.x, train.y, 4);
    FAIL() << "min_samples_leaf = 0 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.min_samples_leaf"), std::string::npos) << e.what();
  }
  Matrix x = train.x;
  x(3, 2) = std::nanf("");
  EXPECT_THROW(CartForest(forest_options(5, 1, 0)).fit(x, train.y, 4), Error);
}

}  // namespace
}  // namespace audify
