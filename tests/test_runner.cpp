// End-to-end tests of `audify run` and `audify classify` through the built binary: the run
// directory's files, --cfg, determinism, k-fold, multirun with resume, classify, the safetensors
// layout, and config errors that name the key.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "data/feature_table.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// 3 classes x 3 folds, 2 slices per recording (one fold, one class each), separable Gaussian blobs
// in 6 dimensions.
void write_blob_table(const fs::path& path, int rows = 90) {
  FeatureTable t;
  for (int c = 0; c < 6; ++c) t.columns.push_back("f" + std::to_string(c));
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.6f);
  const char* names[] = {"alpha", "beta", "gamma"};
  for (int i = 0; i < rows; ++i) {
    FeatureRow r;
    r.class_id = (i / 6) % 3;
    r.class_name = names[r.class_id];
    r.fs_id = i / 2;
    r.fold = r.fs_id % 3 + 1;
    r.slice_file_name = "clip" + std::to_string(i) + ".wav";
    for (int c = 0; c < 6; ++c)
      r.values.push_back((c % 3 == r.class_id ? 2.0f : 0.0f) + noise(rng));
    t.rows.push_back(std::move(r));
  }
  write_feature_table(path, t);
}

class RunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("runner");
    table_ = dir_->path() / "blobs.csv";
    write_blob_table(table_);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // Runs `audify <args>` with the cache in the temp folder; returns the exit status.
  static int audify(const std::string& args, std::string* output) {
    const std::string cmd = "AUDIFY_CACHE_DIR='" + (dir_->path() / "cache").string() + "' '" +
                            test::audify_binary().string() + "' " + args;
    return test::run_command(cmd, output);
  }
  // `run` on the blob table into output root `name`, 3 epochs, small MLP.
  static std::string run_args(const std::string& name, const std::string& extra = "") {
    return "run -q data.features='" + table_.string() + "' output_root='" +
           (dir_->path() / name).string() +
           "' train.epochs=3 model.hidden=[16] model.dropout=0 train.lr=0.03 train.batch_size=8 " +
           extra;
  }
  static fs::path only_child(const fs::path& parent) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(parent)) found.push_back(e.path());
    EXPECT_EQ(found.size(), 1u) << parent;
    return found.empty() ? fs::path() : found.front();
  }
  static json metrics(const fs::path& run) { return json::parse(read_file(run / "metrics.json")); }
  static std::size_t lines(const fs::path& file) {
    const std::string text = read_file(file);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  static test::TempDir* dir_;
  static fs::path table_;
};

test::TempDir* RunnerTest::dir_ = nullptr;
fs::path RunnerTest::table_;

TEST_F(RunnerTest, RunWritesEveryFileOfTheRunDirectory) {
  std::string out;
  ASSERT_EQ(audify(run_args("single"), &out), 0) << out;
  const fs::path run = only_child(dir_->path() / "single" / "default");
  for (const char* f : {"config.toml", "overrides.txt", "metrics.json", "predictions.csv",
                        "history.csv", "model.safetensors", "log.txt"})
    EXPECT_TRUE(fs::exists(run / f)) << f;
  const json m = metrics(run);
  for (const char* side : {"train", "test"}) {
    const double acc = m.at(side).at("accuracy").get<double>();
    EXPECT_GE(acc, 0.0);
    EXPECT_LE(acc, 1.0);
  }
  EXPECT_GT(m.at("test").at("accuracy").get<double>(), 0.5);  // separable blobs
  EXPECT_EQ(m.at("test").at("confusion").size(), 3u);
  EXPECT_TRUE(m.at("leak").contains("clip_fraction"));
  const toml::table cfg = toml::parse_file((run / "config.toml").string());
  EXPECT_EQ(cfg.at_path("train.epochs").value<int>(), 3);
  EXPECT_NE(read_file(run / "overrides.txt").find("train.epochs=3"), std::string::npos);
  EXPECT_EQ(lines(run / "predictions.csv"), 1u + 27u);  // header + ceil(0.3 * 90)
  EXPECT_EQ(lines(run / "history.csv"), 1u + 3u);
  EXPECT_NE(read_file(run / "log.txt").find("epoch"), std::string::npos);
  EXPECT_NE(out.find("test accuracy"), std::string::npos) << out;
}

TEST_F(RunnerTest, CfgPrintsTheResolvedConfigAndWritesNothing) {
  std::string out;
  ASSERT_EQ(audify(run_args("cfg", "train.lr=3e-4 --cfg"), &out), 0) << out;
  const toml::table cfg = toml::parse(out);
  EXPECT_EQ(cfg.at_path("train.lr").value<double>(), 3e-4);
  EXPECT_EQ(cfg.at_path("model.kind").value<std::string>(), "mlp");
  EXPECT_TRUE(cfg.at_path("features.n_mfcc").is_integer());
  EXPECT_FALSE(fs::exists(dir_->path() / "cfg"));
}

TEST_F(RunnerTest, SameConfigAndSeedGiveIdenticalMetrics) {
  std::string out;
  ASSERT_EQ(audify(run_args("det_a"), &out), 0) << out;
  ASSERT_EQ(audify(run_args("det_b"), &out), 0) << out;
  const fs::path a = only_child(dir_->path() / "det_a" / "default");
  const fs::path b = only_child(dir_->path() / "det_b" / "default");
  json ma = metrics(a), mb = metrics(b);
  for (json* m : {&ma, &mb})
    for (const char* volatile_key : {"seconds", "finished_at", "git_commit"})
      m->erase(volatile_key);
  EXPECT_EQ(ma, mb);
  EXPECT_EQ(read_file(a / "predictions.csv"), read_file(b / "predictions.csv"));
  EXPECT_EQ(read_file(a / "history.csv"), read_file(b / "history.csv"));
}

// For feature rows the learning curve's train accuracy measures every training clip, with the
// model as it stands (dropout off): its last point is the table's train accuracy, fold by fold.
TEST_F(RunnerTest, LearningCurveEndsAtTheTablesTrainAccuracy) {
  std::string out;
  ASSERT_EQ(audify(run_args("curve", "split=kfold model.dropout=0.5"), &out), 0) << out;
  const fs::path run = only_child(dir_->path() / "curve" / "default");
  const json m = metrics(run);
  std::istringstream history(read_file(run / "history.csv"));
  std::string line;
  std::getline(history, line);
  ASSERT_EQ(line.rfind("epoch,loss,train_acc,", 0), 0u) << line;
  std::vector<double> last_train;  // each fold's train_acc at the last epoch
  while (std::getline(history, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (std::stoi(cells.at(0)) == 3) last_train.push_back(std::stod(cells.at(2)));
  }
  ASSERT_EQ(last_train.size(), m.at("folds").size());
  for (std::size_t f = 0; f < last_train.size(); ++f)
    EXPECT_NEAR(last_train[f], m.at("train").at("folds").at(f).get<double>(), 1e-12) << f;
}

// A sweep whose points hold out validation rows is ranked by them, in the summary and the report,
// with no warning about ranking on the test set.
TEST_F(RunnerTest, SweepWithValidationRowsRanksByThem) {
  std::string out;
  ASSERT_EQ(
      audify("run -m" + run_args("validated", "train.validation_fraction=0.2 seed=0,1").substr(3),
             &out),
      0)
      << out;
  const fs::path multi = only_child(dir_->path() / "validated" / "default");
  const std::string summary = read_file(multi / "summary.md");
  const std::string report = read_file(multi / "report.md");
  EXPECT_NE(summary.find("Compare points by validation accuracy"), std::string::npos) << summary;
  EXPECT_NE(report.find("Ranked by validation accuracy"), std::string::npos);
  EXPECT_NE(report.find("rank (validation)"), std::string::npos);
  EXPECT_EQ(report.find("Ranking on the test set"), std::string::npos);
  EXPECT_EQ(summary.find("Ranking on the test set"), std::string::npos);
}

TEST_F(RunnerTest, KFoldReportsEveryFoldAndPredictsEveryRowOnce) {
  std::string out;
  ASSERT_EQ(audify(run_args("kfold", "split=kfold"), &out), 0) << out;
  const fs::path run = only_child(dir_->path() / "kfold" / "default");
  const json m = metrics(run);
  ASSERT_EQ(m.at("folds").size(), 3u);
  ASSERT_EQ(m.at("test").at("folds").size(), 3u);
  double sum = 0;
  for (const auto& v : m.at("test").at("folds")) sum += v.get<double>();
  EXPECT_NEAR(m.at("test").at("accuracy").get<double>(), sum / 3, 1e-12);
  EXPECT_GE(m.at("test").at("accuracy_std").get<double>(), 0.0);
  EXPECT_EQ(m.at("leak").at("test_clips_with_sibling_in_train").get<int>(), 0);
  EXPECT_EQ(lines(run / "predictions.csv"), 1u + 90u);
  EXPECT_EQ(lines(run / "history.csv"), 1u + 3u * 3u);
  EXPECT_NE(read_file(run / "history.csv").find(",fold"), std::string::npos);
}

TEST_F(RunnerTest, MultirunSweepsEveryCombinationAndResumes) {
  std::string out;
  ASSERT_EQ(audify(run_args("multi", "-m model.hidden=[8],[16] train.lr=1e-3,3e-3 launcher.jobs=2"),
                   &out),
            0)
      << out;
  const fs::path multi = only_child(dir_->path() / "multi" / "default");
  EXPECT_EQ(multi.filename().string().rfind("multirun_", 0), 0u) << multi;
  std::vector<fs::path> points;
  for (const auto& e : fs::directory_iterator(multi))
    if (e.is_directory()) points.push_back(e.path());
  std::sort(points.begin(), points.end());
  ASSERT_EQ(points.size(), 4u);
  for (const fs::path& p : points) EXPECT_TRUE(fs::exists(p / "metrics.json")) << p;
  EXPECT_EQ(lines(multi / "summary.csv"), 1u + 4u);
  EXPECT_TRUE(fs::exists(multi / "summary.md"));
  // Point 0 is hidden=[8], lr=1e-3 (the first override varies slowest).
  EXPECT_NE(points[0].filename().string().find("hidden=8"), std::string::npos);
  const toml::table cfg1 = toml::parse_file((points[1] / "config.toml").string());
  EXPECT_EQ(cfg1.at_path("train.lr").value<double>(), 3e-3);

  // Interrupted point 2: only it runs again.
  fs::remove(points[2] / "metrics.json");
  const auto before = fs::last_write_time(points[0] / "metrics.json");
  ASSERT_EQ(audify(run_args("multi", "-m model.hidden=[8],[16] train.lr=1e-3,3e-3 --resume '" +
                                         multi.string() + "'"),
                   &out),
            0)
      << out;
  EXPECT_TRUE(fs::exists(points[2] / "metrics.json"));
  EXPECT_EQ(fs::last_write_time(points[0] / "metrics.json"), before);
  EXPECT_NE(out.find("1 ran, 3 skipped"), std::string::npos) << out;
  const std::string summary = read_file(multi / "summary.csv");
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 5);
  EXPECT_NE(summary.find("resumed"), std::string::npos);

  // Resuming with other overrides is refused.
  EXPECT_NE(
      audify(run_args("multi", "-m train.lr=1e-3,3e-3 --resume '" + multi.string() + "'"), &out),
      0);
}

// The file layout checked byte by byte, without Audify's reader.
TEST_F(RunnerTest, ModelIsAValidSafetensorsFile) {
  std::string out;
  ASSERT_EQ(audify(run_args("st"), &out), 0) << out;
  const std::string bytes =
      read_file(only_child(dir_->path() / "st" / "default") / "model.safetensors");
  ASSERT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  ASSERT_LE(8 + n, bytes.size());
  const json header = json::parse(bytes.substr(8, n));
  const std::size_t data_size = bytes.size() - 8 - n;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const auto& [name, t] : header.items()) {
    if (name == "__metadata__") continue;
    EXPECT_EQ(t.at("dtype"), "F32") << name;
    uint64_t count = 1;
    for (const auto& d : t.at("shape")) count *= d.get<uint64_t>();
    const auto begin = t.at("data_offsets")[0].get<uint64_t>();
    const auto end = t.at("data_offsets")[1].get<uint64_t>();
    EXPECT_EQ(end - begin, 4 * count) << name;
    ranges.emplace_back(begin, end);
  }
  EXPECT_TRUE(header.contains("layers.0.weight"));
  EXPECT_EQ(header.at("layers.0.weight").at("shape"), json({16, 6}));
  EXPECT_EQ(header.at("layers.1.weight").at("shape"), json({3, 16}));
  std::sort(ranges.begin(), ranges.end());
  uint64_t at = 0;
  for (const auto& [b, e] : ranges) {
    EXPECT_EQ(b, at);
    at = e;
  }
  EXPECT_EQ(at, data_size);
  const json& meta = header.at("__metadata__");
  EXPECT_EQ(json::parse(meta.at("audify.classes").get<std::string>()),
            json({"alpha", "beta", "gamma"}));
  EXPECT_NE(meta.at("audify.config").get<std::string>().find("[train]"), std::string::npos);
  EXPECT_TRUE(meta.contains("audify.features"));
}

TEST_F(RunnerTest, BadOverridesFailNamingTheKey) {
  struct Case {
    std::string override_, expected;
  };
  for (const Case& c : std::vector<Case>{{"train.epochz=3", "train.epochz"},
                                         {"train.epochs=many", "train.epochs"},
                                         {"model=nosuch", "nosuch"},
                                         {"model.kind=svm_xyz", "model.kind"},
                                         {"++model.depth=3", "model.depth"},
                                         {"split.kind=sideways", "split.kind"},
                                         {"train.lr=1e-3,3e-4", "-m"}}) {
    std::string out;
    EXPECT_NE(audify(run_args("bad", c.override_), &out), 0) << c.override_;
    EXPECT_NE(out.find(c.expected), std::string::npos) << c.override_ << ": " << out;
  }
  EXPECT_FALSE(fs::exists(dir_->path() / "bad" / "default")) << "no run dir for a bad config";
}

// The baselines go through the same factory: one fit, the same files, their bytes beside the model.
TEST_F(RunnerTest, BaselineKindsRunThroughTheSameRunner) {
  for (const std::string kind : {"svm_rbf", "random_forest"}) {
    std::string out;
    const fs::path root = dir_->path() / ("base_" + kind);
    ASSERT_EQ(
        audify("run -q data.features='" + table_.string() + "' output_root='" + root.string() +
                   "' model=" + kind + (kind == "random_forest" ? " model.n_trees=10" : ""),
               &out),
        0)
        << out;
    const fs::path run = only_child(root / "default");
    const json m = metrics(run);
    EXPECT_EQ(m.at("model").at("kind"), kind);
    EXPECT_GT(m.at("test").at("accuracy").get<double>(), 0.5) << kind;
    // The SVM's libsvm text in JSON; the CART forest's nodes as safetensors.
    const std::string suffix = kind == "random_forest" ? ".safetensors" : ".json";
    EXPECT_TRUE(fs::exists(run / ("model." + kind + suffix))) << kind;
    EXPECT_EQ(lines(run / "history.csv"), 2u);
  }
}

// Audio end to end: a tiny synthetic dataset, a run on it, then classify one of its WAVs.
TEST_F(RunnerTest, ClassifyPrintsTopClassesOfAWav) {
  const fs::path synth = dir_->path() / "synth";
  std::string out;
  ASSERT_EQ(audify("synth --out '" + synth.string() + "' --clips-per-class 4", &out), 0) << out;
  const std::string out_root = (dir_->path() / "audio_run").string();
  ASSERT_EQ(audify("run -q data.root='" + synth.string() + "' output_root='" + out_root +
                       "' train.epochs=3 model.hidden=[32]",
                   &out),
            0)
      << out;
  const fs::path run = only_child(fs::path(out_root) / "default");
  EXPECT_EQ(metrics(run).at("data").at("features").get<int>(), 40);
  fs::path wav;
  for (const auto& e : fs::recursive_directory_iterator(synth / "audio"))
    if (e.path().extension() == ".wav") {
      wav = e.path();
      break;
    }
  ASSERT_FALSE(wav.empty());
  ASSERT_EQ(
      audify("classify --model '" + run.string() + "' '" + wav.string() + "' --top-k 3 --json",
             &out),
      0)
      << out;
  const json j = json::parse(out.substr(out.find("[\n")));
  ASSERT_EQ(j.size(), 1u);
  ASSERT_EQ(j[0].at("top").size(), 3u);
  double previous = 1.0;
  for (const auto& t : j[0].at("top")) {
    EXPECT_LE(t.at("probability").get<double>(), previous);
    previous = t.at("probability").get<double>();
  }
  ASSERT_EQ(audify("classify --model '" + run.string() + "' '" + wav.string() + "'", &out), 0);
  EXPECT_NE(out.find(j[0].at("top")[0].at("class").get<std::string>()), std::string::npos) << out;
}

}  // namespace
}  // namespace audify
