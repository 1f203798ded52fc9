// `audify run` with the CNN kinds end to end, through the built binary: model=sb_cnn picks its
// features and recipe, model=cnn builds its blocks from the config (errors before a run folder),
// a run writes every file, is deterministic, reads its frames from the cache the second time, and
// `audify classify` on a test clip gives the probabilities the run recorded for it.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "config/override_parser.h"
#include "core/atomic_file.h"
#include "core/csv.h"
#include "experiment/run_config.h"
#include "report/run_results.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CnnRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("cnn_run");
    std::string out;
    ASSERT_EQ(audify("synth --out '" + synth().string() + "' --clips-per-class 3", &out), 0) << out;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path synth() { return dir_->path() / "synth"; }
  static int audify(const std::string& args, std::string* output) {
    const std::string cmd = "AUDIFY_CACHE_DIR='" + (dir_->path() / "cache").string() + "' '" +
                            test::audify_binary().string() + "' " + args;
    return test::run_command(cmd, output);
  }
  // A small CNN on the synthetic clips (173 frames of 128 bands), two epochs.
  static std::string run_args(const std::string& root, const std::string& extra = "") {
    return "run -q data.root='" + synth().string() + "' output_root='" +
           (dir_->path() / root).string() +
           "' model=cnn 'model.conv=[\"4x5x5+pool4x4\",\"8x3x3+bn+pool2x2\"]' model.dense=[16] "
           "model.window_frames=64 eval.hop_frames=32 train.epochs=2 train.batch_size=8 " +
           extra;
  }
  static fs::path only_run(const std::string& root) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir_->path() / root / "default"))
      found.push_back(e.path());
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? fs::path() : found.front();
  }
  static json metrics(const fs::path& run) { return json::parse(read_file(run / "metrics.json")); }
  static test::TempDir* dir_;
};

test::TempDir* CnnRunTest::dir_ = nullptr;

TEST_F(CnnRunTest, SbCnnChoosesItsFeaturesAndRecipe) {
  std::string out;
  ASSERT_EQ(audify("run model=sb_cnn --cfg", &out), 0) << out;
  const toml::table cfg = toml::parse(out);
  EXPECT_EQ(cfg.at_path("model.kind").value<std::string>(), "sb_cnn");
  EXPECT_EQ(cfg.at_path("features.summary").value<std::string>(), "none");
  EXPECT_EQ(cfg.at_path("features.n_mels").value<int>(), 128);
  EXPECT_EQ(cfg.at_path("train.epochs").value<int>(), 50);
  EXPECT_EQ(cfg.at_path("train.batch_size").value<int>(), 32);
  EXPECT_EQ(cfg.at_path("eval.hop_frames").value<int>(), 16);
  // A choice on the command line wins over the model file's.
  ASSERT_EQ(audify("run model=sb_cnn train=seed --cfg", &out), 0) << out;
  EXPECT_EQ(toml::parse(out).at_path("train.epochs").value<int>(), 100);
  // The reference recipe in one word: SB-CNN, Salamon & Bello's deformations, the clip and one
  // variant each epoch, the mean of the last 10 epochs' weights.
  ASSERT_EQ(audify("run +experiment=sb_cnn_augmented --cfg", &out), 0) << out;
  const toml::table aug = toml::parse(out);
  EXPECT_EQ(aug.at_path("model.kind").value<std::string>(), "sb_cnn");
  EXPECT_EQ(aug.at_path("augment.pitch_semitones").as_array()->size(), 4u);
  EXPECT_EQ(aug.at_path("augment.stretch_rates").as_array()->size(), 4u);
  EXPECT_EQ(aug.at_path("augment.versions_per_epoch").value<int>(), 2);
  EXPECT_EQ(aug.at_path("train.average_epochs").value<int>(), 10);
  EXPECT_EQ(cfg.at_path("train.average_epochs").value<int>(),
            0);  // plain SB-CNN: Salamon & Bello's
}

TEST_F(CnnRunTest, MismatchedFeaturesAndBadBlocksFailBeforeARunFolder) {
  std::string out;
  const std::string root = (dir_->path() / "bad").string();
  EXPECT_EQ(audify("run model=sb_cnn features=mfcc40_mean output_root='" + root + "'", &out), 2);
  EXPECT_NE(out.find("features=logmel128"), std::string::npos) << out;
  EXPECT_EQ(audify("run model=mlp features=logmel128 output_root='" + root + "'", &out), 2);
  EXPECT_NE(out.find("model=sb_cnn"), std::string::npos) << out;
  EXPECT_EQ(audify("run model=cnn 'model.conv=[\"24x5x5+max2\"]' output_root='" + root + "'", &out),
            2);
  EXPECT_NE(out.find("model.conv[0]"), std::string::npos) << out;
  EXPECT_EQ(audify("run model=cnn model.window_frames=8 output_root='" + root + "'", &out), 2);
  EXPECT_NE(out.find("conv"), std::string::npos) << out;
  // Weight averaging: the CNNs only, at most every epoch, and not with early stopping.
  for (const char* bad :
       {"model=mlp train.average_epochs=3", "model=sb_cnn train.average_epochs=51",
        "model=sb_cnn train.average_epochs=-1",
        "model=sb_cnn train.average_epochs=5 train.validation_fraction=0.1 "
        "train.early_stopping_patience=3"}) {
    EXPECT_EQ(audify(std::string("run ") + bad + " output_root='" + root + "'", &out), 2) << bad;
    EXPECT_NE(out.find("train.average_epochs"), std::string::npos) << bad << ": " << out;
  }
  EXPECT_FALSE(fs::exists(root));
}

TEST_F(CnnRunTest, RunIsDeterministicCachedAndClassifiesAsItRecorded) {
  std::string out_a, out_b;
  ASSERT_EQ(audify(run_args("a"), &out_a), 0) << out_a;
  ASSERT_EQ(audify(run_args("b"), &out_b), 0) << out_b;
  const fs::path a = only_run("a"), b = only_run("b");
  for (const char* f : {"config.toml", "metrics.json", "predictions.csv", "history.csv",
                        "model.safetensors", "log.txt"})
    EXPECT_TRUE(fs::exists(a / f)) << f;
  EXPECT_NE(read_file(a / "log.txt").find("extracted on cpu"), std::string::npos);
  EXPECT_NE(read_file(b / "log.txt").find("from the frame cache"), std::string::npos);
  // The same clips named through a symlink and a ".." find the same cache file.
  const fs::path link = dir_->path() / "synth_link";
  fs::create_directory_symlink(synth(), link);
  std::string via_link = run_args("c");
  via_link.replace(via_link.find(synth().string()), synth().string().size(),
                   (link / ".." / "synth_link").string());
  ASSERT_EQ(audify(via_link, &out_b), 0) << out_b;
  EXPECT_NE(read_file(only_run("c") / "log.txt").find("from the frame cache"), std::string::npos);
  json ma = metrics(a), mb = metrics(b);
  EXPECT_EQ(ma.at("model").at("kind"), "cnn");
  EXPECT_EQ(ma.at("data").at("features").get<int>(), 128);  // mel bands
  for (json* m : {&ma, &mb})
    for (const char* key : {"seconds", "finished_at", "git_commit"}) m->erase(key);
  EXPECT_EQ(ma, mb);
  EXPECT_EQ(read_file(a / "predictions.csv"), read_file(b / "predictions.csv"));
  EXPECT_EQ(read_file(a / "history.csv"), read_file(b / "history.csv"));

  // The first test clip, classified from its file by the saved model.
  std::istringstream csv(read_file(a / "predictions.csv"));
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  const std::vector<std::string> cells = csv::split_line(row);
  fs::path wav;
  for (const auto& e : fs::recursive_directory_iterator(synth() / "audio"))
    if (e.path().filename() == cells.at(0)) wav = e.path();
  ASSERT_FALSE(wav.empty()) << cells.at(0);
  std::string out;
  ASSERT_EQ(audify("classify --model '" + a.string() + "' '" + wav.string() + "' --top-k 10 --json",
                   &out),
            0)
      << out;
  const json j = json::parse(out.substr(out.find("[\n")));
  const std::vector<std::string> columns = csv::split_line(header);
  ASSERT_EQ(j[0].at("top").size(), 10u);
  for (const auto& t : j[0].at("top")) {
    const std::string column = "p_" + t.at("class").get<std::string>();
    const auto at = std::find(columns.begin(), columns.end(), column) - columns.begin();
    ASSERT_LT(static_cast<std::size_t>(at), cells.size()) << column;
    EXPECT_NEAR(t.at("probability").get<double>(), std::stod(cells[at]), 2e-5) << column;
  }
}

// The study (tools/main.sh) in one multirun: feature-row models and the small CNN on log-mel
// windows side by side, each point composing its own features, in one protocol x model table.
TEST_F(CnnRunTest, TheStudyPutsTheSmallCnnBesideTheFeatureRowModels) {
  std::string out;
  ASSERT_EQ(audify("run -q -m +experiment=study data.root='" + synth().string() +
                       "' split=random,grouped model=mlp,small_cnn train.epochs=2 output_root='" +
                       (dir_->path() / "study").string() + "'",
                   &out),
            0)
      << out;
  fs::path report;
  for (const auto& e : fs::recursive_directory_iterator(dir_->path() / "study"))
    if (e.path().filename() == "report.md" &&
        e.path().parent_path().filename().string().starts_with("multirun_"))
      report = e.path();
  ASSERT_FALSE(report.empty()) << out;
  const std::string md = read_file(report);
  const auto table = md.find("## Protocol");
  ASSERT_NE(table, std::string::npos) << md.substr(0, 2000);
  const std::string protocol = md.substr(table, md.find("## ", table + 3) - table);
  EXPECT_NE(protocol.find("mlp test acc"), std::string::npos) << protocol;
  EXPECT_NE(protocol.find("cnn test acc"), std::string::npos) << protocol;
  EXPECT_NE(protocol.find("random 70/30"), std::string::npos) << protocol;
  EXPECT_NE(protocol.find("grouped 70/30"), std::string::npos) << protocol;
  // The CNN point extracted frames, the MLP point MFCC means.
  std::string logs;
  for (const auto& e : fs::recursive_directory_iterator(dir_->path() / "study"))
    if (e.path().filename() == "metrics.json") logs += read_file(e.path());
  EXPECT_NE(logs.find("\"kind\": \"cnn\""), std::string::npos);
  EXPECT_NE(logs.find("\"kind\": \"mlp\""), std::string::npos);
}

// eval.curve_every spaces the learning curve's points; measuring them never changes training.
TEST_F(CnnRunTest, CurveEverySpacesTheCurveWithoutChangingTraining) {
  std::string out;
  ASSERT_EQ(audify(run_args("curve_each", "train.epochs=3 eval.curve_every=1"), &out), 0) << out;
  ASSERT_EQ(audify(run_args("curve_off", "train.epochs=3 eval.curve_every=0"), &out), 0) << out;
  ASSERT_EQ(audify(run_args("curve_3", "train.epochs=3 eval.curve_every=3"), &out), 0) << out;
  const auto rows = [](const fs::path& run) {
    std::istringstream csv(read_file(run / "history.csv"));
    int lines = 0;
    for (std::string line; std::getline(csv, line);) lines += !line.empty();
    return lines - 1;  // less the header
  };
  const fs::path each = only_run("curve_each"), off = only_run("curve_off"),
                 third = only_run("curve_3");
  EXPECT_EQ(rows(each), 3);
  EXPECT_EQ(rows(off), 0);
  EXPECT_EQ(rows(third), 2);  // the first epoch and the last
  EXPECT_EQ(read_file(each / "predictions.csv"), read_file(off / "predictions.csv"));
  EXPECT_EQ(read_file(each / "predictions.csv"), read_file(third / "predictions.csv"));
  EXPECT_EQ(audify(run_args("curve_bad", "eval.curve_every=-1"), &out), 2);
  EXPECT_NE(out.find("eval.curve_every"), std::string::npos) << out;
  EXPECT_EQ(audify(run_args("curve_word", "eval.curve_every=often"), &out), 2);
  EXPECT_NE(out.find("eval.curve_every"), std::string::npos) << out;
  EXPECT_NE(out.find("\"auto\""), std::string::npos) << out;
}

// The default, "auto": a point every epoch for models on feature rows (cheap), about ten for CNNs
// (each point is two passes over the test side's windows); a number is taken as written.
TEST(CurveSpacing, AutoIsEveryEpochForFeatureRowsAndATenthOfTheEpochsForCnns) {
  const auto spacing = [](const std::vector<std::string>& overrides) {
    return load_run_config(parse_overrides(overrides)).curve_spacing();
  };
  EXPECT_EQ(spacing({}), 1);  // the seed MLP, 100 epochs
  EXPECT_EQ(spacing({"model=svm_rbf"}), 1);
  EXPECT_EQ(spacing({"model=sb_cnn"}), 5);  // 50 epochs
  EXPECT_EQ(spacing({"model=sb_cnn", "train.epochs=55"}), 6);
  EXPECT_EQ(spacing({"model=sb_cnn", "train.epochs=3"}), 1);
  EXPECT_EQ(spacing({"model=sb_cnn", "eval.curve_every=1"}), 1);
  EXPECT_EQ(spacing({"model=sb_cnn", "eval.curve_every=0"}), 0);
  const RunConfig config = load_run_config({});
  EXPECT_EQ(config.eval.curve_every, kCurveEveryAuto);
  EXPECT_EQ(run_config_table(config)["eval"]["curve_every"].value_or(std::string()), "auto");
}

TEST_F(CnnRunTest, AudioVariantsAreExtractedOnceAndTrainWithOnTheFlyAugmentation) {
  const std::string extra =
      "augment=sb2017 augment.pitch_semitones=[2] augment.stretch_rates=[1.2] augment.gain_db=3 "
      "augment.time_masks=1 augment.time_mask_frames=8 augment.mixup_alpha=0.2";
  std::string out;
  ASSERT_EQ(audify(run_args("aug_a", extra), &out), 0) << out;
  ASSERT_EQ(audify(run_args("aug_b", extra), &out), 0) << out;
  const fs::path a = only_run("aug_a"), b = only_run("aug_b");
  const std::string log_a = read_file(a / "log.txt"), log_b = read_file(b / "log.txt");
  EXPECT_NE(log_a.find("variant pitch+2: 30 clips"), std::string::npos) << log_a;
  EXPECT_NE(log_a.find("variant stretch1.2: 30 clips"), std::string::npos) << log_a;
  EXPECT_NE(log_b.find("variant pitch+2: 30 clips"), std::string::npos);
  EXPECT_NE(log_b.find("(from the frame cache)"), std::string::npos) << log_b;
  EXPECT_EQ(read_file(a / "predictions.csv"), read_file(b / "predictions.csv"));
  // Augmentation changes training, so the same run without it predicts differently.
  ASSERT_EQ(audify(run_args("plain"), &out), 0) << out;
  const fs::path plain = only_run("plain");
  EXPECT_NE(read_file(a / "predictions.csv"), read_file(plain / "predictions.csv"));
  // The feature-row models refuse it.
  EXPECT_EQ(audify("run model=mlp augment=specaugment output_root='" +
                       (dir_->path() / "bad_aug").string() + "'",
                   &out),
            2);
  EXPECT_NE(out.find("augment"), std::string::npos) << out;
  // Every version each epoch (Salamon & Bello's augmented set) trains differently again, from the
  // same cached variants; asking for versions without variants names the key.
  ASSERT_EQ(audify(run_args("aug_all", extra + " augment.versions_per_epoch=0"), &out), 0) << out;
  const fs::path all = only_run("aug_all");
  EXPECT_NE(read_file(all / "log.txt").find("(from the frame cache)"), std::string::npos);
  EXPECT_NE(read_file(all / "predictions.csv"), read_file(a / "predictions.csv"));
  // A report says what each run's augmentation was, from its config rather than its overrides.
  EXPECT_EQ(load_run_results(all).augmentation,
            "gain ±3 dB; 1 time mask(s) ≤ 8 frames; mixup α 0.2; pitch +2 st; stretch 1.2; the "
            "clip + all 2 variants per epoch");
  EXPECT_EQ(load_run_results(plain).augmentation, "none");
  EXPECT_EQ(audify(run_args("bad_versions", "augment.versions_per_epoch=2"), &out), 2);
  EXPECT_NE(out.find("augment.versions_per_epoch"), std::string::npos) << out;
}

}  // namespace
}  // namespace audify
