// `audify run model=cnn device=cuda` end to end through the built binary, the GPU CNN trainer in
// host emulation (AUDIFY_CUDA_EMULATE=1): the run succeeds, says it trained on cuda, and its loss
// curve is the CPU run's within float noise (same windows, masks and initial weights); `audify
// bench train model=sb_cnn device=cuda` times it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
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
  std::string run_args(const std::string& device) const {
    return "run -q data.root='" + (dir.path() / "synth").string() + "' output_root='" +
           (dir.path() / device).string() +
           "' model=cnn 'model.conv=[\"4x5x5+pool4x4\",\"6x3x3+bn+pool2x2\"]' model.dense=[8] "
           "model.window_frames=32 eval.hop_frames=32 train.epochs=2 train.batch_size=8 device=" +
           device;
  }
  fs::path only_run(const std::string& device) const {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir.path() / device / "default"))
      found.push_back(e.path());
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? fs::path() : found.front();
  }
};

// The numbers of history.csv, row by row.
std::vector<std::vector<double>> history(const fs::path& run) {
  std::istringstream in(read_file(run / "history.csv"));
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    for (const std::string& cell : csv::split_line(line))
      row.push_back(cell.empty() ? 0.0 : std::stod(cell));
    rows.push_back(row);
  }
  return rows;
}

TEST_F(CnnDeviceRun, SmallCnnTrainsOnTheEmulatedGpuAsOnTheCpu) {
  std::string out;
  ASSERT_EQ(
      audify("synth --out '" + (dir.path() / "synth").string() + "' --clips-per-class 2", &out), 0)
      << out;
  ASSERT_EQ(audify(run_args("cpu"), &out), 0) << out;
  ASSERT_EQ(audify(run_args("cuda"), &out), 0) << out;
  const fs::path cpu = only_run("cpu"), gpu = only_run("cuda");
  EXPECT_NE(read_file(gpu / "log.txt").find("device cuda"), std::string::npos)
      << read_file(gpu / "log.txt");
  const auto want = history(cpu), got = history(gpu);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_FALSE(want.empty());
  for (std::size_t r = 0; r < want.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size());
    EXPECT_NEAR(got[r][1], want[r][1], 1e-4 * (1 + std::abs(want[r][1]))) << "epoch " << r + 1;
  }
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
