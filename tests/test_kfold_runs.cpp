// What a k-fold run saves and says about itself, end to end through the CLI: with train.refit=true
// the saved model is fitted on every clip after the folds (the summary, metrics.json, log.txt and
// the report say so, `audify classify` answers with it, and it is not the last fold's model), and
// +experiment=official_10fold on the real 82-clip sample, which holds 4 of the 10 folds, says
// everywhere a reader looks that only those folds ran.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "serve/trained_model.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class KFoldRunsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("kfold-runs");
    std::string out;
    ASSERT_EQ(
        audify("synth --out '" + (dir_->path() / "synth").string() + "' --clips-per-class 3", &out),
        0)
        << out;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static int audify(const std::string& args, std::string* out) {
    return test::run_command("AUDIFY_CACHE_DIR='" + (dir_->path() / "cache").string() + "' '" +
                                 test::audify_binary().string() + "' " + args,
                             out);
  }
  // `audify run` into output root `name`; returns the run folder (empty if the run failed).
  static fs::path run(const std::string& name, const std::string& overrides, std::string* out) {
    const fs::path root = dir_->path() / name;
    const int status = audify("run " + overrides + " output_root='" + root.string() + "'", out);
    EXPECT_EQ(status, 0) << *out;
    fs::path found;
    if (fs::exists(root))
      for (const auto& experiment : fs::directory_iterator(root))
        for (const auto& e : fs::directory_iterator(experiment.path())) found = e.path();
    return found;
  }
  static std::string synthetic_kfold(const std::string& extra) {
    return "-q data.root='" + (dir_->path() / "synth").string() +
           "' split=kfold train.epochs=4 model.hidden=[16] train.standardize=true " + extra;
  }
  // `audify classify --json`'s probabilities of every class for `clip`, in class order.
  static std::vector<double> classify(const fs::path& run_dir, const fs::path& clip) {
    std::string out;
    EXPECT_EQ(audify("classify --json --top-k 50 --model '" + run_dir.string() + "' '" +
                         clip.string() + "'",
                     &out),
              0)
        << out;
    const json answer = json::parse(out.substr(out.find('[')));
    std::vector<double> p(answer.at(0).at("top").size());
    for (const json& t : answer.at(0).at("top"))
      p.at(t.at("id").get<std::size_t>()) = t.at("probability").get<double>();
    return p;
  }
  static fs::path first_clip() {
    for (const auto& e : fs::recursive_directory_iterator(dir_->path() / "synth"))
      if (e.path().extension() == ".wav") return e.path();
    return {};
  }

  static test::TempDir* dir_;
};

test::TempDir* KFoldRunsTest::dir_ = nullptr;

TEST_F(KFoldRunsTest, RefitSavesAModelFittedOnAllClipsAndSaysSo) {
  std::string last_out, refit_out;
  const fs::path last_fold = run("last", synthetic_kfold(""), &last_out);
  const fs::path refit = run("refit", synthetic_kfold("train.refit=true"), &refit_out);
  ASSERT_FALSE(last_fold.empty());
  ASSERT_FALSE(refit.empty());
  const json m_last = json::parse(read_file(last_fold / "metrics.json"));
  const json m_refit = json::parse(read_file(refit / "metrics.json"));
  const int clips = m_refit.at("data").at("clips").get<int>();

  // The folds' figures are the folds' models' either way; only the saved model changes.
  EXPECT_EQ(m_refit.at("test").at("folds"), m_last.at("test").at("folds"));
  EXPECT_GT(m_refit.at("folds").size(), 1u);
  EXPECT_EQ(m_refit.at("model").at("trained_on").get<std::string>(), "all clips");
  EXPECT_NE(m_last.at("model").at("trained_on").get<std::string>(), "all clips");
  const std::string all = "fitted on all " + std::to_string(clips) + " clips";
  EXPECT_NE(m_refit.at("model").at("saved").get<std::string>().find(all), std::string::npos);
  EXPECT_NE(refit_out.find("saved model: " + all), std::string::npos) << refit_out;
  EXPECT_NE(read_file(refit / "log.txt")
                .find("fitting the saved model on all " + std::to_string(clips) + " clips"),
            std::string::npos);
  EXPECT_NE(read_file(refit / "report.md").find(all), std::string::npos);
  EXPECT_NE(last_out.find("the last split's model only"), std::string::npos) << last_out;
  EXPECT_EQ(TrainedModel::load(refit)->metadata().at("audify.trained_on"), "all clips");

  // classify answers with the refitted model, which is not the last fold's.
  const fs::path clip = first_clip();
  ASSERT_FALSE(clip.empty());
  const std::vector<double> p_last = classify(last_fold, clip), p_refit = classify(refit, clip);
  ASSERT_EQ(p_last.size(), p_refit.size());
  double largest_change = 0;
  for (std::size_t i = 0; i < p_last.size(); ++i)
    largest_change = std::max(largest_change, std::abs(p_last[i] - p_refit[i]));
  EXPECT_GT(largest_change, 1e-4);
  EXPECT_EQ(classify(refit, clip), p_refit);  // and it is one model, not a draw per call
}

TEST_F(KFoldRunsTest, Official10FoldOnTheRealSampleSaysHowManyFoldsRan) {
  const auto sample = test::shared_path("data/urbansound8k-sample");
  if (!sample) GTEST_SKIP() << "../shared/data/urbansound8k-sample is absent";
  std::string out;
  const fs::path dir = run("sample",
                           "-q +experiment=official_10fold data.root='" + sample->string() +
                               "' train.epochs=2 model.hidden=[16]",
                           &out);
  ASSERT_FALSE(dir.empty());
  const json m = json::parse(read_file(dir / "metrics.json"));
  const std::size_t folds = m.at("folds").size();
  ASSERT_GT(folds, 1u);
  ASSERT_LT(folds, 10u);  // the sample holds only some of the 10 folds
  const std::string said =
      "the data holds " + std::to_string(folds) + " of the protocol's 10 folds";
  EXPECT_NE(m.at("split").at("note").get<std::string>().find(said), std::string::npos);
  EXPECT_NE(out.find(said), std::string::npos) << out;
  EXPECT_NE(read_file(dir / "log.txt").find(said), std::string::npos);
  EXPECT_NE(read_file(dir / "report.md").find(said), std::string::npos);
  EXPECT_NE(out.find("over " + std::to_string(folds) + " folds"), std::string::npos) << out;
}

}  // namespace
}  // namespace audify
