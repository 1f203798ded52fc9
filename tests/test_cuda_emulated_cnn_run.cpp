// `audify run model=cnn device=cuda` end to end through the built binary, the GPU CNN trainer in
// host emulation (AUDIFY_CUDA_EMULATE=1): the run succeeds, says it trained on cuda, and its loss
// curve is the CPU run's within float noise (same windows, masks and initial weights), alone, with
// k-fold folds trained together, with mixup, and with weight averaging; `audify bench train
// model=sb_cnn device=cuda` times it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

class CnnDeviceRun : public ::testing::Test {
 protected:
  test::TempDir dir{"cnn_device_run"};
  int audify(const std::string& args, std::string* output) const {
    const std::string cmd = "AUDIFY_CUDA_EMULATE=1 AUDIFY_CACHE_DIR='" +
                            (dir.path() / "cache").string() + "' '" +
                            test::audify_binary().string() + "' " + args;
    return test::run_command(cmd, output);
  }
  void make_data(int clips_per_class) const {
    std::string out;
    ASSERT_EQ(audify("synth --out '" + (dir.path() / "synth").string() + "' --clips-per-class " +
                         std::to_string(clips_per_class),
                     &out),
              0)
        << out;
  }
  // The run on `device`, its results under output_root <dir>/<device><tag>.
  std::string run_args(const std::string& device, const std::string& extra = "",
                       const std::string& tag = "") const {
    return "run -q data.root='" + (dir.path() / "synth").string() + "' output_root='" +
           (dir.path() / (device + tag)).string() +
           "' model=cnn 'model.conv=[\"4x5x5+pool4x4\",\"6x3x3+bn+pool2x2\"]' model.dense=[8] "
           "model.window_frames=32 eval.hop_frames=32 train.epochs=2 train.batch_size=8 device=" +
           device + " " + extra;
  }
  // Runs the same configuration on the CPU and on the emulated GPU: (cpu run, gpu run).
  std::pair<fs::path, fs::path> run_both(const std::string& extra, const std::string& tag) const {
    std::string out;
    EXPECT_EQ(audify(run_args("cpu", extra, tag), &out), 0) << out;
    EXPECT_EQ(audify(run_args("cuda", extra, tag), &out), 0) << out;
    return {only_run("cpu" + tag), only_run("cuda" + tag)};
  }
  fs::path only_run(const std::string& device) const {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir.path() / device / "default"))
      found.push_back(e.path());
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? fs::path() : found.front();
  }
};

// history.csv's cells, row by row (epoch, loss, accuracies, and the fold's name in k-fold runs).
std::vector<std::vector<std::string>> history(const fs::path& run) {
  std::istringstream in(read_file(run / "history.csv"));
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) rows.push_back(csv::split_line(line));
  return rows;
}

// The two runs' history.csv agree: the same rows, names and epochs, numbers within `tol`
// relative (the losses to the emulation's float noise; accuracies are counts, so equal).
void expect_same_history(const fs::path& cpu, const fs::path& gpu, double tol) {
  const auto want = history(cpu), got = history(gpu);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_FALSE(want.empty());
  for (std::size_t r = 0; r < want.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size()) << "row " << r + 1;
    for (std::size_t c = 0; c < want[r].size(); ++c) {
      char* end = nullptr;
      const double w = std::strtod(want[r][c].c_str(), &end);
      if (want[r][c].empty() || *end != '\0') {
        EXPECT_EQ(got[r][c], want[r][c]) << "row " << r + 1 << " column " << c;
        continue;
      }
      EXPECT_NEAR(std::stod(got[r][c]), w, tol * (1 + std::abs(w)))
          << "row " << r + 1 << " column " << c;
    }
  }
}

TEST_F(CnnDeviceRun, SmallCnnTrainsOnTheEmulatedGpuAsOnTheCpu) {
  make_data(2);
  const auto [cpu, gpu] = run_both("", "");
  EXPECT_NE(read_file(gpu / "log.txt").find("device cuda"), std::string::npos)
      << read_file(gpu / "log.txt");
  expect_same_history(cpu, gpu, 1e-4);
}

// A 3-fold k-fold run on device=cuda trains its folds together (one host thread and stream per
// model) and each fold ends as the CPU's, although the folds' training sets, and so their batches
// per epoch, differ.
TEST_F(CnnDeviceRun, KFoldFoldsTrainTogetherOnTheEmulatedGpuAsOnTheCpu) {
  make_data(5);
  // Folds 5, 6 and 8 of this data hold 8, 4 and 3 clips: 42, 46 and 47 to train on, in 11, 12
  // and 12 batches of 4.
  const auto [cpu, gpu] =
      run_both("split=kfold 'split.folds=[5,6,8]' train.batch_size=4", "_kfold");
  const std::string log = read_file(gpu / "log.txt");
  EXPECT_NE(log.find("training 3 CNNs together on cuda-emulated"), std::string::npos) << log;
  EXPECT_EQ(read_file(cpu / "log.txt").find("CNNs together"), std::string::npos);
  expect_same_history(cpu, gpu, 1e-4);
  const auto want = nlohmann::json::parse(read_file(cpu / "metrics.json"))["folds"];
  const auto got = nlohmann::json::parse(read_file(gpu / "metrics.json"))["folds"];
  ASSERT_EQ(want.size(), 3u);
  ASSERT_EQ(got.size(), 3u);
  std::set<int> batches;
  for (std::size_t f = 0; f < 3; ++f) {
    EXPECT_EQ(got[f]["name"], want[f]["name"]);
    EXPECT_EQ(got[f]["train_clips"], want[f]["train_clips"]);
    EXPECT_NEAR(got[f]["test_accuracy"].get<double>(), want[f]["test_accuracy"].get<double>(), 1e-9)
        << f;
    EXPECT_NEAR(got[f]["train_accuracy"].get<double>(), want[f]["train_accuracy"].get<double>(),
                1e-9)
        << f;
    batches.insert((want[f]["train_clips"].get<int>() + 3) / 4);
  }
  EXPECT_GT(batches.size(), 1u) << "the folds should differ in batches per epoch";
}

// Mixup's soft targets train on the device too, and as on the CPU.
TEST_F(CnnDeviceRun, MixupTrainsOnTheEmulatedGpuAsOnTheCpu) {
  make_data(2);
  const auto [cpu, gpu] = run_both("augment.mixup_alpha=0.4", "_mixup");
  expect_same_history(cpu, gpu, 1e-4);
}

// predictions.csv's probability columns, clip by clip.
std::vector<std::vector<double>> probabilities(const fs::path& run) {
  std::istringstream in(read_file(run / "predictions.csv"));
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = csv::split_line(line);
    std::vector<double> p;
    for (std::size_t c = 6; c < cells.size(); ++c) p.push_back(std::stod(cells[c]));
    rows.push_back(std::move(p));
  }
  return rows;
}

// Weight averaging reads the device's weights back each averaged epoch and ends on their mean, as
// the CPU does (not on the last step's weights, which the device still holds).
TEST_F(CnnDeviceRun, WeightAveragingEndsOnTheSameMeanOnTheEmulatedGpu) {
  make_data(2);
  const auto [cpu, gpu] = run_both("train.epochs=4 train.average_epochs=3", "_avg");
  expect_same_history(cpu, gpu, 1e-4);
  const auto want = probabilities(cpu), got = probabilities(gpu);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_FALSE(want.empty());
  for (std::size_t r = 0; r < want.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size());
    for (std::size_t c = 0; c < want[r].size(); ++c)
      EXPECT_NEAR(got[r][c], want[r][c], 1e-4) << "clip " << r << " class " << c;
  }
  std::string out;
  ASSERT_EQ(audify(run_args("cuda", "train.epochs=4", "_last"), &out), 0) << out;
  EXPECT_NE(probabilities(only_run("cuda_last")), got) << "averaging changed nothing";
}

// `audify bench train model=sb_cnn device=cuda` times the GPU trainer's steps.
TEST_F(CnnDeviceRun, BenchTimesSbCnnStepsOnTheEmulatedGpu) {
  std::string out;
  ASSERT_EQ(audify("bench train model=sb_cnn device=cuda --cnn-steps 1", &out), 0) << out;
  EXPECT_NE(out.find("on the GPU trainer"), std::string::npos) << out;
  EXPECT_NE(out.find("steps/s"), std::string::npos) << out;
}

}  // namespace
}  // namespace audify
