// The classical baselines: the standardiser learns from the training side only; the SVM and the
// random forest separate an easy synthetic problem, stay near chance on noise labels, return
// normalised probabilities, are reproducible for a seed, and load back what they save; their config
// files parse; `audify classify` of a baseline run reproduces the run's own predictions.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <random>

#include "baselines/baseline_options.h"
#include "baselines/random_forest.h"
#include "baselines/standardizer.h"
#include "baselines/svm_rbf.h"
#include "config/paths.h"
#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "test_support.h"

namespace audify {
namespace {

struct Data {
  Matrix x;
  std::vector<int> y;
};

// Three Gaussian blobs in 6 dimensions (2 informative, 4 noise); noise_labels draws labels at
// random.
Data blobs(std::size_t rows, unsigned seed, bool noise_labels = false) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> label(0, 2);
  Data d{Matrix(rows, 6), {}};
  for (std::size_t r = 0; r < rows; ++r) {
    const int c = label(rng);
    d.y.push_back(noise_labels ? label(rng) : c);
    for (std::size_t f = 0; f < 6; ++f) d.x(r, f) = normal(rng) * (f < 2 ? 0.5f : 3.0f) + 100.0f;
    d.x(r, static_cast<std::size_t>(c % 2)) += c == 2 ? -4.0f : 4.0f;
  }
  return d;
}

double accuracy(const Matrix& p, const std::vector<int>& y) {
  const std::vector<int> pred = argmax_rows(p);
  int hits = 0;
  for (std::size_t i = 0; i < y.size(); ++i) hits += pred[i] == y[i];
  return static_cast<double>(hits) / static_cast<double>(y.size());
}

void expect_rows_sum_to_one(const Matrix& p) {
  for (std::size_t r = 0; r < p.rows; ++r) {
    double s = 0;
    for (float v : p.row(r)) {
      EXPECT_GE(v, 0.0f);
      s += v;
    }
    EXPECT_NEAR(s, 1.0, 1e-4) << "row " << r;
  }
}

TEST(Standardizer, UsesTrainingStatisticsOnly) {
  Matrix train(4, 2);
  const float values[4][2] = {{1, 5}, {3, 5}, {5, 5}, {7, 5}};  // column 1 is constant
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 2; ++c) train(r, c) = values[r][c];
  Standardizer s;
  s.fit(train);
  EXPECT_DOUBLE_EQ(s.mean[0], 4.0);
  EXPECT_DOUBLE_EQ(s.scale[0], std::sqrt(5.0));  // population std (ddof 0)
  EXPECT_DOUBLE_EQ(s.scale[1], 1.0);             // std 0 -> 1
  Matrix test(1, 2);
  test(0, 0) = 104.0f;  // far from the training data: must not change the statistics
  test(0, 1) = 6.0f;
  const Matrix z = s.apply(test);
  EXPECT_NEAR(z(0, 0), 100.0 / std::sqrt(5.0), 1e-4);
  EXPECT_NEAR(z(0, 1), 1.0, 1e-6);
  EXPECT_DOUBLE_EQ(s.mean[0], 4.0);
}

std::unique_ptr<Classifier> make(const std::string& kind, int seed) {
  if (kind == "svm_rbf") {
    SvmOptions o;
    o.seed = seed;
    return std::make_unique<SvmRbf>(o);
  }
  ForestOptions o;
  o.n_trees = 20;
  o.threads = 2;
  o.seed = seed;
  return make_random_forest(o);
}

class Baseline : public ::testing::TestWithParam<std::string> {};

TEST_P(Baseline, SeparatesBlobs) {
  const Data train = blobs(600, 1), test = blobs(300, 2);
  auto model = make(GetParam(), 0);
  EXPECT_EQ(model->kind(), GetParam());
  model->fit(train.x, train.y, 3);
  const Matrix p = model->predict_proba(test.x);
  ASSERT_EQ(p.rows, 300u);
  ASSERT_EQ(p.cols, 3u);
  expect_rows_sum_to_one(p);
  EXPECT_GT(accuracy(p, test.y), 0.9);
  EXPECT_FALSE(model->save().empty());
  std::vector<int> bad = train.y;
  bad[0] = 3;
  EXPECT_THROW(model->fit(train.x, bad, 3), Error);
}

TEST_P(Baseline, NearChanceOnNoiseLabels) {
  const Data train = blobs(600, 3, true), test = blobs(600, 4, true);
  auto model = make(GetParam(), 0);
  model->fit(train.x, train.y, 3);
  const double acc = accuracy(model->predict_proba(test.x), test.y);
  EXPECT_LT(acc, 0.45);  // chance is 1/3; 600 test rows put 0.45 ~4.4 standard deviations above
  EXPECT_GT(acc, 0.22);
}

TEST_P(Baseline, DeterministicForASeed) {
  const Data train = blobs(300, 5), test = blobs(100, 6);
  auto a = make(GetParam(), 7), b = make(GetParam(), 7);
  a->fit(train.x, train.y, 3);
  b->fit(train.x, train.y, 3);
  EXPECT_EQ(a->predict_proba(test.x).data, b->predict_proba(test.x).data);
  EXPECT_EQ(a->save(), b->save());
}

TEST_P(Baseline, LoadsWhatItSaves) {
  const Data train = blobs(300, 10), test = blobs(100, 11);
  auto model = make(GetParam(), 3);
  model->fit(train.x, train.y, 3);
  const std::unique_ptr<Classifier> loaded = load_classifier(GetParam(), model->save(), "saved");
  EXPECT_EQ(loaded->kind(), GetParam());
  EXPECT_EQ(loaded->classes(), 3);
  const Matrix expected = model->predict_proba(test.x), got = loaded->predict_proba(test.x);
  ASSERT_EQ(got.rows, expected.rows);
  ASSERT_EQ(got.cols, expected.cols);
  // libsvm writes support vectors with 8 significant digits: equal to ~1e-7, not bit for bit.
  for (std::size_t i = 0; i < got.data.size(); ++i)
    EXPECT_NEAR(got.data[i], expected.data[i], 1e-5) << i;
  EXPECT_THROW(load_classifier(GetParam(), "{\"not\": \"a model\"}", "bogus"), Error);
  EXPECT_THROW(load_classifier(GetParam(), "", "empty"), Error);
  EXPECT_THROW(load_classifier("mlp", model->save(), "wrong kind"), Error);
  Matrix narrow(1, 5, 0.0f);  // the models learnt 6 features
  EXPECT_THROW(loaded->predict_proba(narrow), Error);
}

TEST_P(Baseline, ConfigFileBindsEveryKey) {
  const std::string kind = GetParam();
  toml::table table = toml::parse_file(
      (std::filesystem::path(AUDIFY_SOURCE_DIR) / "configs/model" / (kind + ".toml")).string());
  EXPECT_EQ(table["kind"].value_or(std::string()), kind);
  table.erase("kind");  // the model factory reads it
  OptionSchema schema("model");
  SvmOptions svm;
  ForestOptions forest;
  if (kind == "svm_rbf")
    bind(schema, svm);
  else
    bind(schema, forest);
  schema.apply(table, kind + ".toml");
  EXPECT_EQ(schema.fields().size(), table.size());  // every key is in the file
  EXPECT_EQ(svm.gamma, 0.0);                        // "scale"
  EXPECT_EQ(forest.max_features, 0.0);              // "sqrt"
  EXPECT_EQ(schema.to_table().size(), table.size());
}

INSTANTIATE_TEST_SUITE_P(Kinds, Baseline, ::testing::Values("svm_rbf", "random_forest"));

namespace fs = std::filesystem;

// End to end through the binary: train a baseline on a tiny synthetic dataset, then classify one
// of its test clips from the WAV; the probabilities equal the run's predictions.csv row.
TEST_P(Baseline, ClassifyOfARunMatchesItsPredictions) {
  const test::TempDir dir("baseline_classify_" + GetParam());
  const fs::path synth = dir.path() / "synth", out = dir.path() / "out";
  const std::string bin = test::audify_binary().string();
  std::string log;
  ASSERT_EQ(test::run_command(
                fmt::format("{} synth --out '{}' --clips-per-class 4", bin, synth.string()), &log),
            0)
      << log;
  const std::string extra =
      GetParam() == "random_forest" ? "model.n_trees=8 model.max_depth=4 model.threads=1" : "";
  ASSERT_EQ(test::run_command(fmt::format("{} run -q data.root='{}' output_root='{}' model={} {}",
                                          bin, synth.string(), out.string(), GetParam(), extra),
                              &log),
            0)
      << log;
  fs::path run;
  for (const auto& e : fs::directory_iterator(out / "default")) run = e.path();
  ASSERT_FALSE(run.empty());

  const std::string predictions = read_file(run / "predictions.csv");
  const std::size_t first_end = predictions.find('\n');
  const std::size_t second_end = predictions.find('\n', first_end + 1);
  ASSERT_NE(second_end, std::string::npos) << predictions;
  const std::vector<std::string> header = csv::split_line(predictions.substr(0, first_end));
  const std::vector<std::string> row =
      csv::split_line(predictions.substr(first_end + 1, second_end - first_end - 1));
  ASSERT_EQ(header[0], "file");
  ASSERT_EQ(header[1], "fold");
  const fs::path wav = synth / "audio" / ("fold" + row[1]) / row[0];
  ASSERT_TRUE(fs::exists(wav)) << wav;
  ASSERT_EQ(
      test::run_command(fmt::format("{} classify --model '{}' '{}' --top-k 10 --json 2>/dev/null",
                                    bin, run.string(), wav.string()),
                        &log),
      0)
      << log;
  const nlohmann::json top = nlohmann::json::parse(log).at(0).at("top");
  ASSERT_EQ(top.size(), 10u);
  int compared = 0;
  for (const auto& t : top) {
    const std::string column = "p_" + t.at("class").get<std::string>();
    for (std::size_t c = 0; c < header.size(); ++c)
      if (header[c] == column) {
        // predictions.csv holds 6 significant digits.
        EXPECT_NEAR(t.at("probability").get<double>(), std::stod(row[c]), 1e-5) << column;
        ++compared;
      }
  }
  EXPECT_EQ(compared, 10);
}

TEST(SvmRbf, GridSearchPicksFromTheGrid) {
  SvmOptions o;
  o.grid = true;
  o.probability = false;
  o.grid_C = {0.01, 10.0};
  o.grid_gamma = {1.0};
  SvmRbf svm(o);
  const Data train = blobs(300, 8), test = blobs(300, 9);
  svm.fit(train.x, train.y, 3);
  EXPECT_EQ(svm.fitted_C(), 10.0);  // C = 0.01 underfits the blobs
  const Matrix p = svm.predict_proba(test.x);
  expect_rows_sum_to_one(p);  // one-hot votes without probability estimates
  EXPECT_GT(accuracy(p, test.y), 0.9);
}

TEST(SvmRbf, GammaOverridesAcceptNumbersOrScale) {
  SvmOptions o;
  OptionSchema schema("model");
  bind(schema, o);
  schema.apply_override("gamma", "0.5", "test");
  EXPECT_EQ(o.gamma, 0.5);
  EXPECT_EQ(schema.to_table()["gamma"].value_or(0.0), 0.5);
  schema.apply_override("gamma", "scale", "test");
  EXPECT_EQ(o.gamma, 0.0);
  EXPECT_EQ(schema.to_table()["gamma"].value_or(std::string()), "scale");
  EXPECT_THROW(schema.apply_override("gamma", "auto", "test"), std::exception);
}

}  // namespace
}  // namespace audify
