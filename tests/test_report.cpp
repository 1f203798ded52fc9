// `audify report` end to end: tiny real runs (random split, k-fold, a one-key multirun, an SVM) go
// in, and report.md / report.html come out with every run's numbers as metrics.json holds them
// (accuracies, per-fold and per-class scores, confusion counts, stage timings, feature dimension),
// the published reference rows, inline SVG and no external references; the HTML renders in headless
// Chromium without a console message; a folder that is not a run is refused by name.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/atomic_file.h"
#include "core/error.h"
#include "report/run_results.h"
#include "report/svg.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

// The single folder directly under `root`/default whose name starts with `prefix`.
// The Markdown of one run's section: from its "### <label>" heading to the next heading of that
// level (a multirun point's label ends with the point's folder name).
std::string run_section(const std::string& md, const std::string& name) {
  std::size_t start = std::string::npos;
  for (std::size_t at = md.find("\n### "); at != std::string::npos;
       at = md.find("\n### ", at + 1)) {
    const std::size_t eol = md.find('\n', at + 1);
    const std::string heading = md.substr(at + 5, eol - at - 5);
    if (heading.size() >= name.size() &&
        heading.compare(heading.size() - name.size(), name.size(), name) == 0) {
      start = at;
      break;
    }
  }
  if (start == std::string::npos) return {};
  const std::size_t end = md.find("\n### ", start + 1);
  return md.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

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
                                      {"multi", "-m train.epochs=2,4"},
                                      {"svm", "model=svm_rbf features=salamon2014"}}) {
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
  const fs::path svm = only_run_dir(d / "out_svm");
  const fs::path out = d / "report";
  std::string log;
  const std::string cmd =
      // A trailing slash (as shell completion writes it) must not lose the run's name.
      fmt::format("{} report {}/ {} {} {} --out {}", test::audify_binary().string(),
                  random.string(), kfold.string(), multi.string(), svm.string(), out.string());
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
  std::vector<fs::path> runs{random, kfold, svm};
  for (const auto& e : fs::directory_iterator(multi))
    if (e.is_directory()) runs.push_back(e.path());
  ASSERT_EQ(runs.size(), 5u);
  for (const fs::path& r : runs) {
    const auto m = nlohmann::json::parse(read_file(r / "metrics.json"));
    const std::string acc = fmt::format("{:.2f}", 100.0 * m["test"]["accuracy"].get<double>());
    const std::string f1 = fmt::format("{:.4f}", m["test"]["macro_f1"].get<double>());
    // Runs started in the same second are named by their output folders too.
    const std::string long_name =
        (r.parent_path().parent_path().filename() / r.parent_path().filename() / r.filename())
            .string();
    std::string section = run_section(md, long_name);
    if (section.empty()) section = run_section(md, r.filename().string());
    ASSERT_FALSE(section.empty()) << r;
    EXPECT_NE(section.find("Test accuracy " + acc + " %, macro-F1 " + f1), std::string::npos)
        << r << " " << acc;
    EXPECT_NE(html.find("Test accuracy " + acc + " %, macro-F1 " + f1), std::string::npos) << r;
    // Every class's F1 and support, and every confusion count, in the run's own section.
    for (const auto& [name, k] : m["test"]["per_class"].items())
      EXPECT_NE(section.find(fmt::format("| {} | {:.4f} | {:.4f} | {:.4f} | {} |", name,
                                         k["precision"].get<double>(), k["recall"].get<double>(),
                                         k["f1"].get<double>(), k["support"].get<int>())),
                std::string::npos)
          << r << " " << name;
    const auto& confusion = m["test"]["confusion"];
    std::string first_row = "| " + m["data"]["classes"][0].get<std::string>() + " |";
    for (const auto& v : confusion[0]) first_row += fmt::format(" {} |", v.get<int>());
    EXPECT_NE(section.find(first_row), std::string::npos) << r << " " << first_row;
    if (m["folds"].size() > 1) {
      for (const auto& f : m["folds"])
        EXPECT_NE(section.find(fmt::format(
                      "| {} | {:.2f} | {:.2f} | {:.4f} | {:.1f} |", f["name"].get<std::string>(),
                      100.0 * f["train_accuracy"].get<double>(),
                      100.0 * f["test_accuracy"].get<double>(), f["test_macro_f1"].get<double>(),
                      100.0 * f["leak"]["clip_fraction"].get<double>())),
                  std::string::npos)
            << r << " " << f["name"];
    } else {
      // One split: each class's clips per side and its test share.
      const auto& classes = m["folds"][0]["classes"];
      for (const auto& [name, test_clips] : classes["test"]["clips"].items()) {
        const int train = classes["train"]["clips"][name].get<int>(), test = test_clips.get<int>();
        EXPECT_NE(section.find(fmt::format("| {} | {} / {} | {:.1f} |", name, train, test,
                                           100.0 * test / (train + test))),
                  std::string::npos)
            << r << " " << name;
        EXPECT_NEAR(classes["test"]["proportion"][name].get<double>(),
                    double(test) / m["folds"][0]["test_clips"].get<int>(), 1e-12);
      }
    }
    // Provenance: the commit, the feature dimension and every stage's wall time.
    EXPECT_NE(section.find(m["git_commit"].get<std::string>()), std::string::npos) << r;
    EXPECT_NE(section.find(m["data"]["feature_description"].get<std::string>()), std::string::npos)
        << r;
    const auto& sec = m["seconds"];
    EXPECT_NE(
        section.find(fmt::format(
            "total {:.2f} s: dataset {:.2f} s, features {:.2f} s, split {:.2f} s, train "
            "{:.2f} s, evaluate {:.2f} s, write {:.2f} s",
            sec["total"].get<double>(), sec["dataset"].get<double>(), sec["extract"].get<double>(),
            sec["split"].get<double>(), sec["train"].get<double>(), sec["evaluate"].get<double>(),
            sec["write"].get<double>())),
        std::string::npos)
        << r;
  }
  // The SVM ran on Salamon 2014's statistics: the report names the dimension and the paper's 225.
  const auto svm_metrics = nlohmann::json::parse(read_file(svm / "metrics.json"));
  EXPECT_EQ(svm_metrics["data"]["features"].get<int>(), 275);
  EXPECT_NE(md.find("275 columns: 11 statistics x 25 MFCCs"), std::string::npos);
  EXPECT_NE(md.find("the paper prints 225"), std::string::npos);
  EXPECT_NE(md.find("| svm_rbf | 275 |"), std::string::npos);
  EXPECT_NE(md.find("kfold (10 folds)"), std::string::npos);
  // ± is the sample sd over folds (n - 1), in metrics.json and in the report, which says so and
  // gives the 95 % interval of the mean (t(0.975, 9) = 2.2622).
  {
    const auto km = nlohmann::json::parse(read_file(kfold / "metrics.json"));
    std::vector<double> folds = km["test"]["folds"].get<std::vector<double>>();
    ASSERT_EQ(folds.size(), 10u);
    double mean = 0, ss = 0;
    for (double v : folds) mean += v / 10;
    for (double v : folds) ss += (v - mean) * (v - mean);
    const double sd = std::sqrt(ss / 9);
    EXPECT_NEAR(km["test"]["accuracy_std"].get<double>(), sd, 1e-12);
    const double half = 2.2621572 * sd / std::sqrt(10.0);
    EXPECT_NEAR(km["test"]["accuracy_ci95"][0].get<double>(), mean - half, 1e-7);
    const std::string cell = fmt::format("{:.2f} ± {:.2f} [{:.2f}, {:.2f}]", 100 * mean, 100 * sd,
                                         100 * (mean - half), 100 * (mean + half));
    EXPECT_NE(md.find(cell), std::string::npos) << cell;
    EXPECT_NE(md.find("sample standard deviation over folds or seeds (n − 1)"), std::string::npos);
  }
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

// The HTML in a real browser: Chromium loads it from disk, logs no console message (our page has
// no scripts, so any message is a failed resource, a parse or a security error), and its DOM
// holds the tables and charts.
TEST_F(ReportTest, RendersInHeadlessChromiumWithoutConsoleMessages) {
  std::string where;
  if (test::run_command("command -v chromium", &where) != 0)
    GTEST_SKIP() << "chromium is not installed (Debian: apt-get install chromium)";
  const fs::path d = dir_->path();
  const fs::path out = d / "report_browser";
  std::string log;
  ASSERT_EQ(test::run_command(
                fmt::format("{} report {} {} --out {}", test::audify_binary().string(),
                            only_run_dir(d / "out_kfold").string(),
                            only_run_dir(d / "out_multi", "multirun_").string(), out.string()),
                &log),
            0)
      << log;
  const fs::path profile = d / "chromium_profile", dom = d / "dom.html", err = d / "chromium.log";
  const std::string cmd = fmt::format(
      "HOME='{0}' timeout 120 chromium --headless=new --no-sandbox --disable-gpu "
      "--no-first-run --user-data-dir='{0}' --enable-logging=stderr --v=0 --dump-dom "
      "'file://{1}' > '{2}' 2> '{3}'",
      profile.string(), fs::absolute(out / "report.html").string(), dom.string(), err.string());
  ASSERT_EQ(test::run_command(cmd, &log), 0) << log << read_file(err);
  const std::string stderr_text = read_file(err);
  std::size_t console_lines = 0;
  for (std::size_t at = stderr_text.find("CONSOLE"); at != std::string::npos;
       at = stderr_text.find("CONSOLE", at + 1))
    ++console_lines;
  EXPECT_EQ(console_lines, 0u) << stderr_text;
  EXPECT_EQ(stderr_text.find("Uncaught"), std::string::npos) << stderr_text;
  const std::string rendered = read_file(dom);
  EXPECT_NE(rendered.find("<table"), std::string::npos);
  EXPECT_NE(rendered.find("<svg"), std::string::npos);
  EXPECT_NE(rendered.find("published, not measured"), std::string::npos);
  EXPECT_NE(rendered.find("Confusion matrix"), std::string::npos);
  const auto m = nlohmann::json::parse(read_file(only_run_dir(d / "out_kfold") / "metrics.json"));
  EXPECT_NE(rendered.find(
                fmt::format("Test accuracy {:.2f} %", 100.0 * m["test"]["accuracy"].get<double>())),
            std::string::npos);
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

// Every run wrote its own report (report=true by default), its folder says what it is, the learning
// curve's train column is the dropout-off figure, and a k-fold run says its model is the last
// fold's.
TEST_F(ReportTest, RunsWriteTheirReportAndNameTheirFolder) {
  const fs::path d = dir_->path();
  const fs::path kfold = only_run_dir(d / "out_kfold");
  EXPECT_TRUE(fs::exists(kfold / "report.md"));
  EXPECT_TRUE(fs::exists(kfold / "report.html"));
  EXPECT_NE(kfold.filename().string().find("_mlp_"), std::string::npos) << kfold;
  EXPECT_NE(kfold.filename().string().find("split=kfold"), std::string::npos) << kfold;
  EXPECT_NE(read_file(kfold / "history.csv").find("train_acc_running"), std::string::npos);
  const std::string md = read_file(kfold / "report.md");
  EXPECT_NE(md.find("the last split's model only (fold10)"), std::string::npos);
  EXPECT_NE(md.find("dropout off"), std::string::npos);
  EXPECT_NE(md.find("row-normalised"), std::string::npos);
  EXPECT_NE(md.find("| train.epochs | 3 |"), std::string::npos);  // hyperparameters
  // The multirun's report sits in its folder and warns that it can only rank by test accuracy.
  const fs::path multi = only_run_dir(d / "out_multi", "multirun_");
  const std::string multi_md = read_file(multi / "report.md");
  EXPECT_NE(multi_md.find("Ranking on the test set"), std::string::npos);
}

// An experiment folder is a report's input: its runs are read, an orphan folder and a failed run
// are noted and skipped, and a run named twice (directly and inside the folder) appears once.
TEST_F(ReportTest, ReadsAnExperimentFolderSkippingOrphansAndDuplicates) {
  const fs::path d = dir_->path();
  const fs::path experiment = d / "out_random" / "default";
  const fs::path run = only_run_dir(d / "out_random");
  fs::create_directories(experiment / "orphan");
  fs::create_directories(experiment / "crashed");
  write_file_atomic(experiment / "crashed" / "config.toml", "");
  write_file_atomic(experiment / "crashed" / "FAILED", "boom\n");
  const fs::path out = d / "report_experiment";
  std::string log;
  ASSERT_EQ(
      test::run_command(fmt::format("{} report {} {} {}/ --out {}", test::audify_binary().string(),
                                    experiment.string(), run.string(), run.string(), out.string()),
                        &log),
      0)
      << log;
  const std::string md = read_file(out / "report.md");
  EXPECT_NE(md.find("orphan: not a run"), std::string::npos) << md.substr(0, 2000);
  EXPECT_NE(md.find("crashed: failed: boom"), std::string::npos);
  std::size_t sections = 0;
  for (std::size_t at = md.find("\n### "); at != std::string::npos; at = md.find("\n### ", at + 1))
    ++sections;
  EXPECT_EQ(sections, 1u) << md;
  fs::remove_all(experiment / "orphan");
  fs::remove_all(experiment / "crashed");
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

// Learning curves are over epochs: their x ticks are whole epochs ("2", never "1.5"), however
// few or many epochs there are.
TEST(ReportSvg, EpochTicksAreWholeNumbers) {
  for (const int epochs : {3, 7, 13, 100}) {
    svg::Series curve{"test", {}, {}};
    for (int e = 1; e <= epochs; ++e) {
      curve.x.push_back(e);
      curve.y.push_back(0.5);
    }
    const std::string s = svg::line_chart({curve}, {"curve", "epoch", "accuracy"});
    const std::regex tick(R"(text-anchor="middle">([0-9.e+-]+)</text>)");
    int ticks = 0;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), tick); it != std::sregex_iterator();
         ++it, ++ticks) {
      const double v = std::stod((*it)[1].str());
      EXPECT_EQ(v, std::round(v)) << epochs << " epochs: tick " << (*it)[1].str();
      EXPECT_GE(v, 1);
      EXPECT_LE(v, epochs);
    }
    EXPECT_GE(ticks, std::min(epochs, 3)) << s;
  }
}

}  // namespace
}  // namespace audify
