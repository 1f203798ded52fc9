// launcher=slurm against a real single-node SLURM cluster (tests/slurm/start_cluster.sh, started
// once by the slurm.cluster_start CTest fixture): a sweep as one job array gives the same summary
// as the local launcher; a failing point is reported while the others finish and a re-submission
// runs only it; `audify sweep cancel` and Ctrl-C leave no job behind. Skips, saying why, where
// the daemons could not start.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "data/feature_table.h"
#include "experiment/launcher_options.h"
#include "experiment/multirun_plan.h"
#include "experiment/slurm_commands.h"
#include "experiment/slurm_launcher.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

// 3 separable classes, 2 slices per recording, 3 folds: trains in milliseconds.
void write_blob_table(const fs::path& path) {
  FeatureTable t;
  for (int c = 0; c < 4; ++c) t.columns.push_back("f" + std::to_string(c));
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 0.5f);
  const char* names[] = {"alpha", "beta", "gamma"};
  for (int i = 0; i < 60; ++i) {
    FeatureRow r;
    r.class_id = (i / 4) % 3;
    r.class_name = names[r.class_id];
    r.fs_id = i / 2;
    r.fold = r.fs_id % 3 + 1;
    r.slice_file_name = "clip" + std::to_string(i) + ".wav";
    for (int c = 0; c < 4; ++c) r.values.push_back((c == r.class_id ? 2.0f : 0.0f) + noise(rng));
    t.rows.push_back(std::move(r));
  }
  write_feature_table(path, t);
}

class SlurmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // $AUDIFY_SLURM_DIR, else where the slurm.cluster_start CTest fixture starts the cluster.
    const char* cluster = std::getenv("AUDIFY_SLURM_DIR");
    const fs::path dir = cluster ? cluster : AUDIFY_SLURM_DIR_DEFAULT;
    if (fs::exists(dir / "skip_reason")) {
      skip_ = read_file(dir / "skip_reason");
      return;
    }
    if (!fs::exists(dir / "slurm.conf")) {
      skip_ = "no " + (dir / "slurm.conf").string() +
              ": no test cluster; run through ctest (-R slurm), whose slurm.cluster_start fixture "
              "starts one (tests/slurm/start_cluster.sh)";
      return;
    }
    ::setenv("SLURM_CONF", (dir / "slurm.conf").c_str(), 1);
    tmp_ = new test::TempDir("slurm");
    ::setenv("AUDIFY_CACHE_DIR", (tmp_->path() / "cache").c_str(), 1);
    ::setenv("AUDIFY_DATA_DIR", (tmp_->path() / "data").c_str(), 1);
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }

  static int audify(const std::string& args, std::string* output) {
    return test::run_command(
        "cd '" + tmp_->path().string() + "' && '" + test::audify_binary().string() + "' " + args,
        output);
  }
  // A multirun of `overrides` into output root `name`; SLURM polled twice a second.
  static std::string sweep(const std::string& name, const std::string& overrides) {
    return "run -m output_root='" + (tmp_->path() / name).string() + "' " + overrides;
  }
  static std::string slurm(const std::string& name, const std::string& overrides) {
    return sweep(name, overrides) + " launcher=slurm launcher.poll_seconds=0.5";
  }
  static fs::path multirun_dir(const std::string& name) {
    for (const auto& e : fs::directory_iterator(tmp_->path() / name / "default")) return e.path();
    return {};
  }
  static std::string job_of(const fs::path& multirun) {
    const auto j = nlohmann::json::parse(read_file(multirun / "multirun.json"));
    return j.at("submissions").back().at("job_id").get<std::string>();
  }
  // Waits until `pred` holds, up to `seconds`.
  template <typename Pred>
  static bool eventually(Pred pred, double seconds = 60) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return pred();
  }
  // True when a progress or status line counts at least one running point.
  static bool some_running(const std::string& text) {
    return std::regex_search(text, std::regex("[1-9][0-9]* running"));
  }
  // True when no process anywhere runs a point of `multirun` (its path is in their command line).
  static bool no_point_process(const fs::path& multirun) {
    for (const auto& e : fs::directory_iterator("/proc")) {
      std::ifstream in(e.path() / "cmdline");
      std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (cmdline.find(multirun.string()) != std::string::npos &&
          cmdline.find("--point-config") != std::string::npos)
        return false;
    }
    return true;
  }

  static std::string skip_;
  static test::TempDir* tmp_;
};

std::string SlurmTest::skip_;
test::TempDir* SlurmTest::tmp_ = nullptr;

// 2 x 3 points of the synthetic dataset: the array's summary equals the local launcher's.
TEST_F(SlurmTest, ArraySweepSummaryEqualsTheLocalSweep) {
  const std::string points =
      "data.clips_per_class=3 train.epochs=4 model.hidden=[8],[16] train.lr=0.01,0.03,0.1 ";
  std::string out;
  ASSERT_EQ(audify(sweep("local", points + "launcher.jobs=2"), &out), 0) << out;
  ASSERT_EQ(audify(slurm("array", points + "launcher.cpus_per_task=1"), &out), 0) << out;
  EXPECT_NE(out.find("submitted job array"), std::string::npos) << out;
  EXPECT_NE(out.find("6 points: 0 pending, 0 running, 6 done, 0 failed"), std::string::npos) << out;

  const fs::path local = multirun_dir("local"), array = multirun_dir("array");
  const std::string summary = read_file(array / "summary.csv");
  EXPECT_EQ(summary, read_file(local / "summary.csv"));
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 7) << summary;
  EXPECT_EQ(read_file(array / "summary.md"), read_file(local / "summary.md"));
  EXPECT_NE(read_file(array / "array.sbatch").find("#SBATCH --array=0-5"), std::string::npos);
  for (const auto& e : fs::directory_iterator(array)) {
    if (!e.is_directory() || e.path().filename() == "slurm") continue;
    EXPECT_EQ(read_file(e.path() / "exit_status"), "0\n") << e.path();
    EXPECT_NE(read_file(e.path() / "console.txt").find("epoch"), std::string::npos) << e.path();
    const auto a = nlohmann::json::parse(read_file(e.path() / "metrics.json"));
    const auto l = nlohmann::json::parse(read_file(local / e.path().filename() / "metrics.json"));
    EXPECT_EQ(a.at("test"), l.at("test")) << e.path();
  }
  // The features were extracted once, by the submitting process, before the array ran.
  const std::string log = read_file(array / "0_hidden=8,lr=0.01" / "log.txt");
  EXPECT_NE(log.find("(30 from the cache)"), std::string::npos) << log;

  // The report reads an array's folder as it reads a local one.
  ASSERT_EQ(
      audify("report '" + array.string() + "' --out '" + (array / "report").string() + "'", &out),
      0)
      << out;
  EXPECT_TRUE(fs::exists(array / "report" / "report.html"));

  ASSERT_EQ(audify("sweep status '" + array.string() + "'", &out), 0) << out;
  EXPECT_NE(out.find("6 done"), std::string::npos) << out;
  EXPECT_NE(out.find("job " + job_of(array)), std::string::npos) << out;
}

// One point of three reads a feature table that does not exist yet: it fails, the others finish;
// once the table exists, re-submitting runs only that point.
TEST_F(SlurmTest, FailedPointIsReportedAndResubmissionRerunsOnlyIt) {
  const fs::path a = tmp_->path() / "a.csv", late = tmp_->path() / "late.csv",
                 b = tmp_->path() / "b.csv";
  write_blob_table(a);
  write_blob_table(b);
  fs::remove(late);
  const std::string overrides = "data.features='" + a.string() + "','" + late.string() + "','" +
                                b.string() + "' train.epochs=3 model.hidden=[8]";
  std::string out;
  EXPECT_NE(audify(slurm("fail", overrides), &out), 0) << out;
  const fs::path dir = multirun_dir("fail");
  EXPECT_NE(out.find("3 points: 0 pending, 0 running, 2 done, 1 failed"), std::string::npos) << out;
  EXPECT_NE(out.find("late.csv: no such feature table"), std::string::npos)
      << "the log tail names the cause: " << out;
  const std::string summary = read_file(dir / "summary.csv");
  EXPECT_NE(summary.find("failed (exit 2)"), std::string::npos) << summary;

  std::string collected;
  EXPECT_EQ(audify("sweep collect '" + dir.string() + "'", &collected), 1) << collected;
  EXPECT_EQ(read_file(dir / "summary.csv"), summary);
  EXPECT_NE(collected.find("late.csv: no such feature table"), std::string::npos) << collected;

  std::vector<fs::path> finished;
  for (const auto& e : fs::directory_iterator(dir))
    if (fs::exists(e.path() / "metrics.json")) finished.push_back(e.path());
  ASSERT_EQ(finished.size(), 2u);
  const auto before = fs::last_write_time(finished[0] / "metrics.json");

  write_blob_table(late);  // the cause fixed: only the failed point runs again
  ASSERT_EQ(audify(slurm("fail", overrides) + " --resume '" + dir.string() + "'", &out), 0) << out;
  EXPECT_NE(out.find("1 ran, 2 skipped"), std::string::npos) << out;
  EXPECT_EQ(fs::last_write_time(finished[0] / "metrics.json"), before);
  EXPECT_NE(read_file(dir / "array.sbatch").find("#SBATCH --array=1\n"), std::string::npos);
  const std::string resumed = read_file(dir / "summary.csv");
  EXPECT_EQ(resumed.find("failed"), std::string::npos) << resumed;
  EXPECT_EQ(std::count(resumed.begin(), resumed.end(), '\n'), 4) << resumed;
  EXPECT_NE(resumed.find(",done\n"), std::string::npos) << resumed;
  const auto manifest = nlohmann::json::parse(read_file(dir / "multirun.json"));
  ASSERT_EQ(manifest.at("submissions").size(), 2u);
  EXPECT_EQ(manifest.at("submissions")[1].at("points"), nlohmann::json({1}));
}

// Points that would train for minutes; cancelled once one runs.
std::string slow_points(const fs::path& table) {
  return "data.features='" + table.string() +
         "' train.epochs=200000 train.batch_size=1 train.lr=0.01,0.02,0.03";
}

TEST_F(SlurmTest, SweepCancelLeavesNoJob) {
  const fs::path table = tmp_->path() / "slow.csv";
  write_blob_table(table);
  std::string out;
  ASSERT_EQ(audify(slurm("cancel", slow_points(table)) + " --no-wait", &out), 0) << out;
  const fs::path dir = multirun_dir("cancel");
  const std::string job = job_of(dir);
  ASSERT_TRUE(eventually([&] {
    audify("sweep status '" + dir.string() + "'", &out);
    return some_running(out);
  })) << out;

  ASSERT_EQ(audify("sweep cancel '" + dir.string() + "'", &out), 0) << out;
  EXPECT_NE(out.find("cancelled jobs " + job), std::string::npos) << out;
  EXPECT_TRUE(slurm::queued_tasks(job).empty());
  EXPECT_TRUE(eventually([&] { return no_point_process(dir); }, 20));
  EXPECT_EQ(audify("sweep collect '" + dir.string() + "'", &out), 1) << out;
  EXPECT_NE(out.find("3 failed"), std::string::npos) << out;
}

TEST_F(SlurmTest, InterruptCancelsTheArray) {
  const fs::path table = tmp_->path() / "slow2.csv";
  write_blob_table(table);
  const fs::path log = tmp_->path() / "interrupt.log";
  const std::string command = "cd '" + tmp_->path().string() + "' && exec '" +
                              test::audify_binary().string() + "' " +
                              slurm("interrupt", slow_points(table));
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    std::freopen(log.c_str(), "w", stderr);
    std::freopen(log.c_str(), "a", stdout);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  fs::path dir;
  ASSERT_TRUE(eventually([&] {
    if (!fs::exists(tmp_->path() / "interrupt" / "default")) return false;
    dir = multirun_dir("interrupt");
    return fs::exists(dir / "multirun.json") && some_running(read_file(log));
  })) << read_file(log);
  const std::string job = job_of(dir);
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << read_file(log);
  EXPECT_NE(read_file(log).find("scancel"), std::string::npos) << read_file(log);
  EXPECT_TRUE(slurm::queued_tasks(job).empty());
  EXPECT_TRUE(eventually([&] { return no_point_process(dir); }, 20));
  EXPECT_TRUE(fs::exists(dir / "summary.csv"));
}

// Without the cluster: the script's #SBATCH lines, and launcher keys checked by kind.
TEST(SlurmScript, CarriesTheResourcesOfTheConfig) {
  MultirunPlan plan;
  plan.dir = "/shared/out/default/multirun_x";
  for (int i = 0; i < 4; ++i) {
    MultirunPoint p;
    p.index = i;
    p.name = std::to_string(i) + "_lr=it's";
    plan.points.push_back(p);
  }
  SlurmOptions o;
  o.partition = "gpu";
  o.time = "01:00:00";
  o.cpus_per_task = 4;
  o.mem = "8G";
  o.gpus_per_task = 1;
  o.array_parallelism = 2;
  o.extra = {"--account=abc", "--qos=short"};
  const std::string s = slurm_array_script(plan, {0, 1, 3}, o, "/opt/audify", "/home/me");
  for (const char* line :
       {"#SBATCH --array=0-1,3%2\n", "#SBATCH --partition=gpu\n", "#SBATCH --time=01:00:00\n",
        "#SBATCH --cpus-per-task=4\n", "#SBATCH --mem=8G\n", "#SBATCH --gpus-per-task=1\n",
        "#SBATCH --account=abc\n", "#SBATCH --qos=short\n", "#SBATCH --chdir=/home/me\n",
        "#SBATCH --output=/shared/out/default/multirun_x/slurm/%A_%a.out\n",
        "  3) point='3_lr=it'\\''s' ;;\n", "'/opt/audify' run --run-dir \"$dir\" --point-config"})
    EXPECT_NE(s.find(line), std::string::npos) << line << "\n" << s;
  EXPECT_EQ(s.find("  2) "), std::string::npos) << s;
}

TEST(SlurmScript, LauncherKeysAreCheckedByKind) {
  std::string out;
  const std::string bin = "'" + test::audify_binary().string() + "' run --cfg ";
  EXPECT_NE(test::run_command(bin + "launcher.partition=gpu", &out), 0);
  EXPECT_NE(out.find("launcher.partition"), std::string::npos) << out;
  EXPECT_NE(test::run_command(bin + "launcher=slurm launcher.jobs=2", &out), 0);
  EXPECT_NE(out.find("launcher.jobs"), std::string::npos) << out;
  EXPECT_NE(test::run_command(bin + "launcher=slurm launcher.gpus_per_task=-1", &out), 0);
  EXPECT_NE(out.find("launcher.gpus_per_task"), std::string::npos) << out;
  ASSERT_EQ(test::run_command(bin + "launcher=slurm launcher.extra=[\\\"--qos=x\\\"]", &out), 0)
      << out;
  EXPECT_NE(out.find("kind = \"slurm\""), std::string::npos) << out;
}

}  // namespace
}  // namespace audify
