// Where configs come from and how keys are set: the working directory's ./configs and
// ./experiments, --config-dir, the installed and source-tree ones, searched per file; the files
// used named in `run --cfg` and the run's log.txt; every schema key settable without `+`, and a
// misspelt key answered with the nearest keys.
#include <gtest/gtest.h>

#include "config/compose.h"
#include "config/key_suggestions.h"
#include "config/override_parser.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

// A config file, with the folders it needs.
void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  write_file_atomic(path, text);
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

// Runs `audify <args>` in `cwd`; returns the exit status, stdout and stderr in `out`.
int audify_in(const fs::path& cwd, const std::string& args, std::string* out,
              const fs::path& cache) {
  return test::run_command("cd " + quoted(cwd) + " && AUDIFY_CACHE_DIR=" + quoted(cache) + " " +
                               quoted(test::audify_binary()) + " " + args,
                           out);
}

// A user's folder: a model of their own, one that replaces the shipped mlp.toml, an experiment.
void write_user_configs(const fs::path& root) {
  write(root / "configs/model/tiny.toml", "kind = \"mlp\"\nhidden = [7]\ndropout = 0.0\n");
  write(root / "configs/model/mlp.toml", "kind = \"mlp\"\nhidden = [3, 3]\ndropout = 0.1\n");
  write(root / "configs/model/svm_small.toml", "kind = \"svm_rbf\"\nC = 1.0\n");
  write(root / "experiments/mine.toml",
        "defaults = [{ \"override /model\" = \"tiny\" }]\n[train]\nepochs = 2\n");
}

class ConfigPlaces : public ::testing::Test {
 protected:
  ConfigPlaces() : dir_("config_places") { write_user_configs(dir_.path() / "user"); }
  int audify(const fs::path& cwd, const std::string& args, std::string* out) {
    return audify_in(cwd, args, out, dir_.path() / "cache");
  }
  fs::path user() const { return fs::absolute(dir_.path() / "user"); }
  test::TempDir dir_;
};

TEST(ConfigSourcesSearch, EarlierPlaceWinsPerFileAndOptionsAreUnited) {
  test::TempDir dir("config_sources");
  const fs::path a = dir.path() / "a", b = dir.path() / "b";
  write(b / "configs/config.toml", "defaults = [{ db = \"mysql\" }, \"_self_\"]\nname = \"b\"\n");
  write(b / "configs/db/mysql.toml", "port = 3306\n");
  write(b / "configs/db/postgres.toml", "port = 5432\n");
  write(a / "configs/db/mysql.toml", "port = 1\n");
  write(a / "configs/db/sqlite.toml", "port = 0\n");
  ConfigSources sources = ConfigSources::at(b);
  sources.places.insert(sources.places.begin(), ConfigSources::at(a).places.front());

  ComposedConfig c = compose(sources, {});
  EXPECT_EQ(c.table["db"]["port"].value_or(0), 1);  // a's mysql.toml, b's config.toml
  EXPECT_EQ(c.table["name"].value_or(std::string()), "b");
  ASSERT_EQ(c.files.size(), 2u);
  EXPECT_EQ(c.files[0], fs::absolute(b / "configs/config.toml").lexically_normal());
  EXPECT_EQ(c.files[1], fs::absolute(a / "configs/db/mysql.toml").lexically_normal());
  EXPECT_EQ(sources.options_of("db"), "mysql, postgres, sqlite");
  EXPECT_EQ(compose(sources, parse_overrides({"db=postgres"})).table["db"]["port"].value_or(0),
            5432);
  try {
    compose(sources, parse_overrides({"db=oracle"}));
    FAIL() << "db=oracle composed";
  } catch (const Error& e) {
    const std::string what = e.what();  // both places looked in, every option offered
    EXPECT_NE(what.find((a / "configs/db/oracle.toml").lexically_normal().generic_string()),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("mysql, postgres, sqlite"), std::string::npos) << what;
  }
}

TEST_F(ConfigPlaces, WorkingDirectoryConfigsAndExperimentsAreUsedAndNamed) {
  std::string out;
  ASSERT_EQ(audify(user(), "run model=tiny --cfg", &out), 0) << out;
  EXPECT_EQ(toml::parse(out).at_path("model.hidden[0]").value<int>(), 7);
  EXPECT_NE(out.find((user() / "configs/model/tiny.toml").string()), std::string::npos) << out;
  // The rest still comes from the shipped configs, named by full path too.
  EXPECT_NE(
      out.find((fs::path(AUDIFY_SOURCE_DIR) / "configs/config.toml").lexically_normal().string()),
      std::string::npos)
      << out;
  // A file of the same name replaces the shipped one; an experiment of the user's is found.
  ASSERT_EQ(audify(user(), "run --cfg", &out), 0) << out;
  EXPECT_EQ(toml::parse(out).at_path("model.hidden").as_array()->size(), 2u);
  ASSERT_EQ(audify(user(), "run +experiment=mine --cfg", &out), 0) << out;
  const toml::table cfg = toml::parse(out);
  EXPECT_EQ(cfg.at_path("train.epochs").value<int>(), 2);
  EXPECT_EQ(cfg.at_path("model.hidden[0]").value<int>(), 7);
  EXPECT_NE(out.find((user() / "experiments/mine.toml").string()), std::string::npos) << out;
}

TEST_F(ConfigPlaces, ConfigDirIsSearchedAfterTheWorkingDirectory) {
  const fs::path elsewhere = dir_.path() / "elsewhere";
  fs::create_directories(elsewhere);
  std::string out;
  EXPECT_NE(audify(elsewhere, "run model=tiny --cfg", &out), 0) << out;  // not found without it
  ASSERT_EQ(audify(elsewhere, "run --config-dir " + quoted(user()) + " model=tiny --cfg", &out), 0)
      << out;
  EXPECT_EQ(toml::parse(out).at_path("model.hidden[0]").value<int>(), 7);
  ASSERT_EQ(
      audify(elsewhere, "--config-dir " + quoted(user()) + " run +experiment=mine --cfg", &out), 0)
      << out;
  // The working directory's file wins over --config-dir's.
  write(elsewhere / "configs/model/tiny.toml", "kind = \"mlp\"\nhidden = [9]\n");
  ASSERT_EQ(audify(elsewhere, "run --config-dir " + quoted(user()) + " model=tiny --cfg", &out), 0)
      << out;
  EXPECT_EQ(toml::parse(out).at_path("model.hidden[0]").value<int>(), 9);
  // A folder without configs/ or experiments/ is refused, saying what is expected.
  fs::create_directories(dir_.path() / "empty");
  EXPECT_EQ(audify(elsewhere, "run --config-dir " + quoted(dir_.path() / "empty") + " --cfg", &out),
            2);
  EXPECT_NE(out.find("holds neither configs/ nor experiments/"), std::string::npos) << out;
}

TEST_F(ConfigPlaces, RunLogNamesTheConfigFiles) {
  const fs::path table = dir_.path() / "table.csv";
  test::write_mfcc_mean_table(table);
  const fs::path outputs = dir_.path() / "outputs";
  std::string out;
  ASSERT_EQ(audify(user(),
                   "run -q model=tiny train.epochs=1 data.features=" + quoted(table) +
                       " output_root=" + quoted(outputs),
                   &out),
            0)
      << out;
  fs::path run;
  for (const auto& e : fs::directory_iterator(outputs / "default")) run = e.path();
  const std::string log = read_file(run / "log.txt");
  EXPECT_NE(log.find("config files: "), std::string::npos) << log;
  EXPECT_NE(log.find((user() / "configs/model/tiny.toml").string()), std::string::npos) << log;
}

TEST_F(ConfigPlaces, EverySchemaKeyIsSettableWithoutPlus) {
  std::string out;
  ASSERT_EQ(audify(dir_.path(),
                   "run train.validation_fraction=0.2 train.early_stopping_patience=3 "
                   "split.test_folds=[2] --cfg",
                   &out),
            0)
      << out;
  const toml::table cfg = toml::parse(out);
  EXPECT_EQ(cfg.at_path("train.validation_fraction").value<double>(), 0.2);
  EXPECT_EQ(cfg.at_path("train.early_stopping_patience").value<int>(), 3);
  EXPECT_EQ(cfg.at_path("split.test_folds[0]").value<int>(), 2);
  // The keys of the model kind chosen (svm_small.toml sets C only).
  ASSERT_EQ(audify(user(), "run model=svm_small model.tol=0.01 --cfg", &out), 0) << out;
  EXPECT_EQ(toml::parse(out).at_path("model.tol").value<double>(), 0.01);
  EXPECT_EQ(audify(user(), "run model=svm_small model.hidden=[3] --cfg", &out), 2) << out;
}

TEST_F(ConfigPlaces, MisspeltKeysGetTheNearestKey) {
  std::string out;
  EXPECT_EQ(audify(dir_.path(), "run train.epoch=5 --cfg", &out), 2);
  EXPECT_NE(out.find("unknown key 'train.epoch' (did you mean train.epochs?)"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("use +"), std::string::npos) << out;
  EXPECT_EQ(audify(dir_.path(), "run +model.hiden=[3] --cfg", &out), 2);
  EXPECT_NE(out.find("did you mean model.hidden?"), std::string::npos) << out;
  EXPECT_EQ(audify(dir_.path(), "run model.epochs=3 --cfg", &out), 2);
  EXPECT_NE(out.find("did you mean train.epochs?"), std::string::npos) << out;
}

TEST(KeySuggestions, NearestKeysOnly) {
  const std::vector<std::string> keys = {"train.epochs", "train.eps", "train.lr", "model.hidden",
                                         "seed"};
  EXPECT_EQ(nearest_keys("train.epoch", keys), std::vector<std::string>{"train.epochs"});
  EXPECT_EQ(nearest_keys("trian.epochs", keys), std::vector<std::string>{"train.epochs"});
  EXPECT_EQ(nearest_keys("model.lr", keys), std::vector<std::string>{"train.lr"});
  EXPECT_TRUE(nearest_keys("colour", keys).empty());
  EXPECT_EQ(did_you_mean("colour", keys), "");
}

}  // namespace
}  // namespace audify
