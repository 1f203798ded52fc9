// Runs that fail: a config error leaves no run folder; a run that fails after its folder exists
// leaves FAILED there with the error; `audify report` over a folder of runs skips failed and
// unfinished ones with a note instead of failing outright.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

int audify(const std::string& args, std::string* out) {
  return test::run_command("'" + test::audify_binary().string() + "' " + args, out);
}

std::vector<fs::path> children(const fs::path& dir) {
  std::vector<fs::path> out;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

TEST(FailedRuns, AreMarkedAndSkippedByTheReport) {
  test::TempDir dir("failed-runs");
  const fs::path good = dir.path() / "good.csv", bad = dir.path() / "bad.csv";
  test::write_mfcc_mean_table(good);
  write_file_atomic(bad, "slice_file_name,fsID,fold,classID,class,f0\na.wav,1,2,3,dog_bark,x\n");
  const fs::path out = dir.path() / "out", runs = out / "default";
  const std::string common = "run -q output_root='" + out.string() + "' train.epochs=2 ";
  std::string log;

  ASSERT_EQ(audify(common + "data.features='" + good.string() + "'", &log), 0) << log;
  // A table that exists but does not parse fails after the folder is made: FAILED says why.
  EXPECT_EQ(audify(common + "data.features='" + bad.string() + "'", &log), 2) << log;
  ASSERT_EQ(children(runs).size(), 2u);
  fs::path failed;
  for (const fs::path& run : children(runs))
    if (!fs::exists(run / "metrics.json")) failed = run;
  ASSERT_FALSE(failed.empty());
  ASSERT_TRUE(fs::exists(failed / "FAILED"));
  EXPECT_NE(read_file(failed / "FAILED").find("bad.csv:2"), std::string::npos)
      << read_file(failed / "FAILED");
  // One that is missing is refused before any folder exists.
  EXPECT_EQ(audify(common + "data.features='" + (dir.path() / "none.csv").string() + "'", &log), 2);
  EXPECT_NE(log.find("data.features"), std::string::npos) << log;
  EXPECT_EQ(audify(common + "data.features='" + good.string() + "' train.beta1=2", &log), 2);
  EXPECT_NE(log.find("train.beta1"), std::string::npos) << log;
  EXPECT_EQ(children(runs).size(), 2u) << "no folder for a config error";
  // A crashed run leaves a folder with config.toml and neither metrics.json nor FAILED.
  fs::create_directories(runs / "crashed");
  write_file_atomic(runs / "crashed" / "config.toml", "seed = 0\n");

  std::string dirs;
  for (const fs::path& run : children(runs)) dirs += " '" + run.string() + "'";
  const fs::path report = dir.path() / "report";
  ASSERT_EQ(audify("report" + dirs + " --out '" + report.string() + "'", &log), 0) << log;
  EXPECT_NE(log.find("skipped " + failed.string() + ": failed: "), std::string::npos) << log;
  EXPECT_NE(log.find("crashed: unfinished"), std::string::npos) << log;
  const std::string md = read_file(report / "report.md");
  EXPECT_NE(md.find("Skipped (failed or unfinished runs)"), std::string::npos) << md;
  EXPECT_NE(md.find(failed.filename().string() + ": failed: "), std::string::npos) << md;

  // Nothing finished at all is still an error, naming why.
  EXPECT_EQ(audify("report '" + failed.string() + "' --out '" + report.string() + "'", &log), 2);
  EXPECT_NE(log.find("none of the 1 folders holds a finished run"), std::string::npos) << log;
}

// A resumed multirun point that succeeds in a folder an earlier attempt marked is no longer failed.
TEST(FailedRuns, ASuccessfulRerunClearsTheMark) {
  test::TempDir dir("failed-rerun");
  const fs::path table = dir.path() / "t.csv", run = dir.path() / "run";
  test::write_mfcc_mean_table(table);
  fs::create_directories(run);
  write_file_atomic(run / "FAILED", "an earlier attempt failed\n");
  std::string log;
  ASSERT_EQ(audify("run -q data.features='" + table.string() + "' train.epochs=1 --run-dir '" +
                       run.string() + "'",
                   &log),
            0)
      << log;
  EXPECT_TRUE(fs::exists(run / "metrics.json"));
  EXPECT_FALSE(fs::exists(run / "FAILED"));
}

}  // namespace
}  // namespace audify
