// The same study on every layout, end to end through the CLI: `audify run` on a synthetic
// ESC-50-layout set (its 5 official folds), a folder of class folders and a manifest CSV, each with
// class names of its own; each model then answers `audify classify` and the server's model
// summary (GET /api/model) with those names, never UrbanSound8K's ten.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "data/esc50.h"
#include "data/feature_table.h"
#include "data/urbansound8k.h"
#include "serve/classify_api.h"
#include "serve/trained_model.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RunLayoutsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("run-layouts");
    ASSERT_EQ(audify("synth --out '" + (dir().path() / "us8k").string() + "' --clips-per-class 4"),
              0);
    ASSERT_EQ(audify("synth --layout esc50 --out '" + (dir().path() / "esc50").string() +
                     "' --clips-per-class 4"),
              0);
  }
  static void TearDownTestSuite() { delete dir_; }

  static const test::TempDir& dir() { return *dir_; }
  static int audify(const std::string& args, std::string* out = nullptr) {
    std::string local;
    std::string& text = out ? *out : local;
    const int status = test::run_command("AUDIFY_CACHE_DIR='" + (dir_->path() / "cache").string() +
                                             "' '" + test::audify_binary().string() + "' " + args,
                                         &text);
    EXPECT_EQ(status, 0) << args << "\n" << text;
    return status;
  }

  // `audify run` with a quick recipe; returns the run directory.
  static fs::path run(const std::string& name, const std::string& overrides) {
    const fs::path runs = dir().path() / ("runs-" + name);
    audify("run -q " + overrides + " output_root='" + runs.string() +
           "' train.epochs=3 model.hidden=[16]");
    fs::path run_dir;
    if (fs::exists(runs / "default"))
      for (const auto& e : fs::directory_iterator(runs / "default")) run_dir = e.path();
    return run_dir;
  }

  static json metrics(const fs::path& run_dir) {
    std::ifstream in(run_dir / "metrics.json");
    return json::parse(in);
  }

  // The trained model, `audify classify` and the server's model summary all name `classes`.
  static void expect_classes_everywhere(const fs::path& run_dir,
                                        const std::vector<std::string>& classes,
                                        const fs::path& clip) {
    ASSERT_FALSE(run_dir.empty());
    EXPECT_EQ(metrics(run_dir).at("data").at("classes").get<std::vector<std::string>>(), classes);
    const std::unique_ptr<TrainedModel> model = TrainedModel::load(run_dir);
    EXPECT_EQ(model->class_names(), classes);
    EXPECT_EQ(model_summary(*model).at("classes").get<std::vector<std::string>>(), classes);
    std::string out;
    ASSERT_EQ(audify("classify --json --top-k 50 --model '" + run_dir.string() + "' '" +
                         clip.string() + "'",
                     &out),
              0);
    const json answer = json::parse(out.substr(out.find('[')));
    std::set<std::string> named;
    for (const json& t : answer.at(0).at("top")) named.insert(t.at("class").get<std::string>());
    EXPECT_EQ(named, std::set<std::string>(classes.begin(), classes.end()));
  }

  static test::TempDir* dir_;
};

test::TempDir* RunLayoutsTest::dir_ = nullptr;

TEST_F(RunLayoutsTest, Esc50LayoutRunsItsFiveOfficialFolds) {
  const fs::path root = dir().path() / "esc50";
  const fs::path run_dir = run("esc50", "data=esc50 data.root='" + root.string() + "' split=kfold");
  ASSERT_FALSE(run_dir.empty());
  const json m = metrics(run_dir);
  ASSERT_EQ(m.at("folds").size(), 5u);
  for (std::size_t f = 0; f < 5; ++f) EXPECT_EQ(m.at("folds")[f].at("test_fold"), f + 1);
  EXPECT_EQ(m.at("leak").at("test_clips_with_sibling_in_train"), 0);
  std::vector<std::string> classes(kUrbanSoundClasses.begin(), kUrbanSoundClasses.end());
  fs::path clip;
  for (const auto& e : fs::directory_iterator(root / "audio")) clip = e.path();
  expect_classes_everywhere(run_dir, classes, clip);

  // The ESC-10 subset of the same set: 5 classes (the even targets), still 5 folds.
  const fs::path subset = run(
      "esc50-subset", "data=esc50 data.root='" + root.string() + "' data.subset=esc10 split=kfold");
  ASSERT_FALSE(subset.empty());
  const json sm = metrics(subset);
  EXPECT_EQ(sm.at("data").at("classes").get<std::vector<std::string>>(),
            (std::vector<std::string>{"air_conditioner", "children_playing", "drilling", "gun_shot",
                                      "siren"}));
  // kfold runs the folds the subset has (all 5 unless a small set leaves one without clips).
  std::set<int> subset_folds;
  for (const ClipInfo& c : load_esc50(root, "esc10").clips) subset_folds.insert(c.fold);
  EXPECT_EQ(sm.at("folds").size(), subset_folds.size());
  EXPECT_GE(subset_folds.size(), 4u);
}

TEST_F(RunLayoutsTest, FolderOfClassFoldersWithFoldsAndRecordingsFromFileNames) {
  // Three of the synthetic classes under names of our own, files named <fold>-<fsID>-<slice>.wav.
  const fs::path root = dir().path() / "folders";
  const std::map<int, std::string> folder_of = {
      {1, "01 - Horn"}, {6, "02 - Shot"}, {8, "03 - Wail"}};
  fs::path clip;
  for (const ClipInfo& c : load_urbansound8k(dir().path() / "us8k").clips) {
    const auto it = folder_of.find(c.class_id);
    if (it == folder_of.end()) continue;
    const fs::path dest =
        root / it->second / fmt::format("{}-{}-{}.wav", c.fold, c.fs_id, c.slice_file_name.back());
    fs::create_directories(dest.parent_path());
    fs::copy_file(c.path, dest, fs::copy_options::overwrite_existing);
    clip = dest;
  }
  const fs::path run_dir =
      run("folders", "data=folders data.root='" + root.string() +
                         "' data.fold_pattern='^([0-9]+)-' data.group_pattern='^[0-9]+-([0-9]+)-' "
                         "split=kfold");
  ASSERT_FALSE(run_dir.empty());
  EXPECT_EQ(metrics(run_dir).at("leak").at("test_clips_with_sibling_in_train"), 0);
  expect_classes_everywhere(run_dir, {"Horn", "Shot", "Wail"}, clip);
}

TEST_F(RunLayoutsTest, ManifestCsvWithGroupsRunsAGroupedSplit) {
  const fs::path root = dir().path() / "us8k";
  const std::map<int, std::string> label_of = {
      {0, "hum"}, {3, "bark"}, {4, "drill"}, {9, "busker"}};
  std::string csv = "path,label,fold,group\n";
  fs::path clip;
  for (const ClipInfo& c : load_urbansound8k(root).clips) {
    const auto it = label_of.find(c.class_id);
    if (it == label_of.end()) continue;
    csv += fmt::format("{},{},{},rec{}\n", fs::relative(c.path, root).generic_string(), it->second,
                       c.fold, c.fs_id);
    clip = c.path;
  }
  const fs::path manifest = root / "clips.csv";
  write_file_atomic(manifest, csv);
  const fs::path run_dir =
      run("manifest", "data=manifest data.root='" + manifest.string() + "' split=grouped");
  ASSERT_FALSE(run_dir.empty());
  EXPECT_EQ(metrics(run_dir).at("leak").at("test_clips_with_sibling_in_train"), 0);
  expect_classes_everywhere(run_dir, {"bark", "busker", "drill", "hum"}, clip);  // sorted
}

TEST_F(RunLayoutsTest, DatasetInfoSummarisesALayoutItRecognisesAndFailsOnMissingFiles) {
  const fs::path root = dir().path() / "esc50";
  std::string out;
  ASSERT_EQ(audify("dataset info '" + root.string() + "'", &out), 0);  // layout from meta/esc50.csv
  for (const char* part : {"layout esc50", "clips: 40 in 10 classes", "street_music",
                           "recordings in more than one fold: 0", "missing files: 0",
                           "unreadable files: 0", "sample rates:"})
    EXPECT_NE(out.find(part), std::string::npos) << part << "\n" << out;
  ASSERT_EQ(audify("dataset info '" + root.string() + "' data.subset=esc10", &out), 0);
  EXPECT_NE(out.find("clips: 20 in 5 classes"), std::string::npos) << out;

  // A manifest listing a file that is not there: named, and the exit status says so.
  const fs::path manifest = dir().path() / "info.csv";
  write_file_atomic(manifest, "path,label\nesc50/meta/esc50.csv,text\nabsent.wav,owl\n");
  const int status = test::run_command(
      "'" + test::audify_binary().string() + "' dataset info '" + manifest.string() + "'", &out);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("absent.wav"), std::string::npos) << out;
  EXPECT_NE(out.find("unreadable files: 1"), std::string::npos) << out;
  EXPECT_NE(test::run_command("'" + test::audify_binary().string() + "' dataset info '" +
                                  root.string() + "' model=svm_rbf",
                              &out),
            0);
  EXPECT_NE(out.find("only data="), std::string::npos) << out;
}

TEST_F(RunLayoutsTest, ExtractReadsTheLayoutItIsTold) {
  const fs::path table = dir().path() / "esc50_features.csv";
  audify("extract data.root='" + (dir().path() / "esc50").string() +
         "' data.layout=esc50 data.subset=esc10 --out '" + table.string() + "'");
  const FeatureTable t = read_feature_table(table);
  ASSERT_EQ(t.rows.size(), 20u);
  std::set<std::string> classes;
  for (const FeatureRow& r : t.rows) classes.insert(r.class_name);
  EXPECT_EQ(classes, (std::set<std::string>{"air_conditioner", "children_playing", "drilling",
                                            "gun_shot", "siren"}));
}

}  // namespace
}  // namespace audify
