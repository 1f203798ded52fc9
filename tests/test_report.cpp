// `audify report` end to end: tiny real runs (random split, k-fold, a one-key multirun) go in, and
// report.md / report.html come out with every run's numbers, the published reference rows, inline
// SVG and no external references; a folder that is not a run is refused by name.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/run_results.h"
#include "report/svg.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

// The single folder directly under `root`/default whose name starts with `prefix`.
fs::path only_run_dir(const fs::path& root, const std::string& prefix = "") {
  fs::path found;
  int count = 0;
  for (const auto& e : fs::directory_iterator(root / "default"))
    if (e.is_directory() && e.path().filename().string().rfind(prefix, 0) == 0) {
      found = e.path();
      ++count;
    }
  EXPECT_EQ(count, 1) << root;
  return found;
}

class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("report");
    const fs::path d = dir_->path();
    const std::string bin = test::audify_binary().string();
    const std::string common = "train.epochs=3 data.clips_per_class=4 --quiet";
    for (const auto& [name, extra] : {std::pair<std::string, std::string>{"random", ""},
                                      {"kfold", "split=kfold"},
                                      {"multi", "-m train.epochs=2,4"}}) {
      std::string out;
      const std::string cmd = fmt::format("cd {} && {} run {} {} output_root={}", d.string(), bin,
                                          common, extra, (d / ("out_" + name)).string());
      ASSERT_EQ(test::run_command(cmd, &out), 0) << cmd << "\n" << out;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static test::TempDir* dir_;
};
test::TempDir* ReportTest::dir_ = nullptr;

TEST_F(ReportTest, WritesMarkdownAndSelfContainedHtml) {
  const fs::path d = dir_->path();
  const fs::path random = only_run_dir(d / "out_random");
  const fs::path kfold = only_run_dir(d / "out_kfold");
  const fs::path multi = only_run_dir(d / "out_multi", "multirun_");
  const fs::path out = d / "report";
  std::string log;
  const std::string cmd =
      // A trailing slash (as shell completion writes it) must not lose the run's name.
      fmt::format("{} report {}/ {} {} --out {}", test::audify_binary().string(), random.string(),
                  kfold.string(), multi.string(), out.string());
  ASSERT_EQ(test::run_command(cmd, &log), 0) << log;
  ASSERT_TRUE(fs::exists(out / "report.md"));
  ASSERT_TRUE(fs::exists(out / "report.html"));
  const std::string md = read_file(out / "report.md");
  const std::string html = read_file(out / "report.html");

  // Published rows are present and marked as such.
  for (const char* s : {"83.81", "78.28", "Salamon et al. 2014", "random forest", "SVM",
                        "published, not measured"}) {
    EXPECT_NE(md.find(s), std::string::npos) << s;
    EXPECT_NE(html.find(s), std::string::npos) << s;
  }
  // Every run's test accuracy, as metrics.json holds it, in percent.
  std::vector<fs::path> runs{random, kfold};
  for (const auto& e : fs::directory_iterator(multi))
    if (e.is_directory()) runs.push_back(e.path());
  ASSERT_EQ(runs.size(), 4u);
  for (const fs::path& r : runs) {
    const auto m = nlohmann::json::parse(read_file(r / "metrics.json"));
    const std::string acc = fmt::format("{:.2f}", 100.0 * m["test"]["accuracy"].get<double>());
    EXPECT_NE(md.find("Test accuracy " + acc + " %"), std::string::npos) << r << " " << acc;
    EXPECT_NE(md.find(r.filename().string()), std::string::npos) << r;
  }
  EXPECT_NE(md.find("kfold (10 folds)"), std::string::npos);
  EXPECT_NE(md.find("fold10"), std::string::npos);        // per-split table of the k-fold run
  EXPECT_NE(md.find("street_music"), std::string::npos);  // class names
  EXPECT_NE(md.find("train.epochs"), std::string::npos);  // the swept key as a column

  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Accuracy vs train.epochs"), std::string::npos);
  EXPECT_NE(html.find("Confusion matrix"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST_F(ReportTest, RefusesAFolderThatIsNotARunNamingIt) {
  const fs::path bogus = dir_->path() / "not_a_run";
  fs::create_directories(bogus);
  std::string log;
  const std::string cmd = fmt::format("{} report {} --out {}", test::audify_binary().string(),
                                      bogus.string(), (dir_->path() / "r2").string());
  EXPECT_NE(test::run_command(cmd, &log), 0);
  EXPECT_NE(log.find(bogus.string()), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(dir_->path() / "r2" / "report.md"));
  EXPECT_THROW(load_run_results(bogus), Error);
}

TEST(ReportSvg, EscapesTextAndLabelsAxes) {
  const std::string s =
      svg::bar_chart({"a<b", "c&d"}, {10, 20}, {"T \"1\"", "x axis", "y axis"}, 100);
  EXPECT_NE(s.find("a&lt;b"), std::string::npos);
  EXPECT_NE(s.find("c&amp;d"), std::string::npos);
  EXPECT_NE(s.find("T &quot;1&quot;"), std::string::npos);
  EXPECT_NE(s.find("x axis"), std::string::npos);
  EXPECT_NE(s.find("y axis"), std::string::npos);
  EXPECT_EQ(s.find("a<b"), std::string::npos);
  const std::string h = svg::heatmap({{1, 2}, {3, 4}}, {"r0", "r1"}, {"c0", "c1"}, {"H", "p", "t"});
  EXPECT_NE(h.find(">4</text>"), std::string::npos);
}

}  // namespace
}  // namespace audify
