// The configuration layer: override grammar, sweeps, composition with defaults lists, group
// choices, experiments, provenance, schema validation; on a temp tree and on the real configs/.
#include <gtest/gtest.h>

#include <fstream>

#include "config/compose.h"
#include "config/options.h"
#include "config/override_parser.h"
#include "config/sweep.h"
#include "config/validate.h"
#include "core/error.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A small Hydra-style tree: two groups, an addable group, an experiment.
class ConfigTree : public ::testing::Test {
 protected:
  ConfigTree() : dir_("config_tree") {
    const fs::path r = dir_.path();
    write(r / "configs/config.toml",
          "defaults = [{ db = \"mysql\" }, { model = \"small\" }, \"_self_\"]\n"
          "name = \"app\"\n[db]\ntimeout = 5\n");
    write(r / "configs/db/mysql.toml", "host = \"localhost\"\nport = 3306\ntimeout = 10\n");
    write(r / "configs/db/postgres.toml", "host = \"pg\"\nport = 5432\ntimeout = 20\n");
    write(r / "configs/model/small.toml", "hidden = [10, 20]\nlr = 0.1\n");
    write(r / "configs/model/big.toml", "hidden = [100, 200, 300]\nlr = 0.01\n");
    write(r / "configs/model/typo.toml", "hiden = [1]\nlr = 0.1\n");
    write(r / "configs/extra/on.toml", "flag = true\n");
    write(r / "experiments/exp1.toml",
          "defaults = [{ \"override /model\" = \"big\" }]\n[db]\nport = 1111\n");
  }
  ComposedConfig run(const std::vector<std::string>& overrides) {
    return compose(ConfigSources::at(dir_.path()), parse_overrides(overrides));
  }
  std::string error_of(const std::vector<std::string>& overrides) {
    try {
      run(overrides);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  }
  test::TempDir dir_;
};

TEST_F(ConfigTree, DefaultsListMergesGroupsThenSelf) {
  ComposedConfig c = run({});
  EXPECT_EQ(c.table["db"]["host"].value_or(std::string()), "localhost");
  EXPECT_EQ(c.table["db"]["port"].value_or(0), 3306);
  EXPECT_EQ(c.table["db"]["timeout"].value_or(0), 5);  // _self_ is last, so it wins
  EXPECT_EQ(c.table["model"]["hidden"].as_array()->size(), 2u);
  EXPECT_EQ(c.origin_of("db.timeout"), "configs/config.toml");
  EXPECT_EQ(c.origin_of("db.host"), "configs/db/mysql.toml");
  EXPECT_EQ(c.origin_of("model.hidden"), "configs/model/small.toml");
  EXPECT_EQ(c.origin_of("model"), "configs/model/small.toml");
  ASSERT_EQ(c.choices.size(), 2u);
  EXPECT_EQ(c.choices[0], (std::pair<std::string, std::string>{"db", "mysql"}));
  EXPECT_EQ(c.experiment, "");
}

TEST_F(ConfigTree, GroupChoiceReplacesTheOption) {
  ComposedConfig c = run({"db=postgres"});
  EXPECT_EQ(c.table["db"]["host"].value_or(std::string()), "pg");
  EXPECT_EQ(c.table["db"]["timeout"].value_or(0), 5);
  EXPECT_EQ(c.origin_of("db.port"), "configs/db/postgres.toml");
}

TEST_F(ConfigTree, UnknownGroupOptionNamesTheFileLookedFor) {
  const std::string e = error_of({"db=oracle"});
  EXPECT_NE(e.find("db=oracle"), std::string::npos) << e;
  EXPECT_NE(e.find("configs/db/oracle.toml"), std::string::npos) << e;
  EXPECT_NE(e.find("mysql, postgres"), std::string::npos) << e;
}

// Found by tests/fuzz (fuzz_config): a name longer than the file system allows made
// std::filesystem throw out of compose() instead of the error naming the override.
TEST_F(ConfigTree, NamesTooLongForAFileAreUnknownOptions) {
  const std::string name(300, 'x');
  const std::string db_error = error_of({"db=" + name});  // names each place it looked, in full
  EXPECT_NE(db_error.find("no config /"), std::string::npos) << db_error;
  EXPECT_NE(db_error.find("configs/db/" + name), std::string::npos) << db_error;
  EXPECT_NE(error_of({"+experiment=" + name}).find("no experiment file"), std::string::npos);
  EXPECT_NE(error_of({name + "=1"}).find("'" + name + "'"), std::string::npos)
      << error_of({name + "=1"});
}

TEST_F(ConfigTree, ExperimentOverridesGroupsAndKeys) {
  ComposedConfig c = run({"+experiment=exp1"});
  EXPECT_EQ(c.experiment, "exp1");
  EXPECT_EQ(c.table["experiment"].value_or(std::string()), "exp1");
  EXPECT_EQ(c.table["model"]["hidden"].as_array()->size(), 3u);
  EXPECT_EQ(c.table["db"]["port"].value_or(0), 1111);
  EXPECT_EQ(c.origin_of("db.port"), "experiments/exp1.toml");
  EXPECT_EQ(c.origin_of("model.lr"), "configs/model/big.toml");
  // The command line wins over the experiment's `override /model`, whatever the order.
  ComposedConfig d = run({"model=small", "+experiment=exp1"});
  EXPECT_EQ(d.table["model"]["hidden"].as_array()->size(), 2u);
  EXPECT_NE(error_of({"+experiment=nope"}).find("experiments/nope.toml"), std::string::npos);
}

TEST_F(ConfigTree, KeyOverridesAreTypedTomlValues) {
  ComposedConfig c = run({"model.lr=1e-3", "db.port=42", "name=hello world", "db.host=\"a,b\"",
                          "model.hidden=[1,2,3,4]", "db.timeout=true"});
  EXPECT_TRUE(c.table["model"]["lr"].is_floating_point());
  EXPECT_DOUBLE_EQ(c.table["model"]["lr"].value_or(0.0), 1e-3);
  EXPECT_TRUE(c.table["db"]["port"].is_integer());
  EXPECT_EQ(c.table["db"]["port"].value_or(0), 42);
  EXPECT_EQ(c.table["name"].value_or(std::string()), "hello world");  // bare string
  EXPECT_EQ(c.table["db"]["host"].value_or(std::string()), "a,b");
  EXPECT_EQ(c.table["model"]["hidden"].as_array()->size(), 4u);
  EXPECT_TRUE(c.table["db"]["timeout"].is_boolean());
  EXPECT_EQ(c.origin_of("model.lr"), "override 'model.lr=1e-3'");
  EXPECT_EQ(c.origin_of("model.hidden"), "override 'model.hidden=[1,2,3,4]'");
}

TEST_F(ConfigTree, AddingRequiresANewKeyAndSettingAnExistingOne) {
  ComposedConfig c = run({"+new.key=1", "++db.port=7", "++fresh=x"});
  EXPECT_EQ(c.table["new"]["key"].value_or(0), 1);
  EXPECT_EQ(c.table["db"]["port"].value_or(0), 7);
  EXPECT_EQ(c.table["fresh"].value_or(std::string()), "x");
  EXPECT_EQ(c.origin_of("new.key"), "override '+new.key=1'");
  const std::string add_existing = error_of({"+db.port=1"});
  EXPECT_NE(add_existing.find("override '+db.port=1'"), std::string::npos) << add_existing;
  EXPECT_NE(add_existing.find("already"), std::string::npos) << add_existing;
  const std::string set_missing = error_of({"db.nokey=1"});
  EXPECT_NE(set_missing.find("+db.nokey=1"), std::string::npos) << set_missing;
  EXPECT_THROW(run({"db=5.5"}), Error);  // a group choice, and no such file
  EXPECT_THROW(run({"db.port.x=1"}), Error);
}

TEST_F(ConfigTree, DeletesKeysAndGroups) {
  ComposedConfig c = run({"~db.timeout", "~db.port=3306", "~model"});
  EXPECT_FALSE(c.table["db"]["timeout"]);
  EXPECT_FALSE(c.table["db"]["port"]);
  EXPECT_FALSE(c.table["model"]);
  EXPECT_EQ(c.provenance.entries().count("db.timeout"), 0u);
  EXPECT_EQ(c.origin_of("db.timeout"), "configs/db/mysql.toml");  // falls back to its table's
  EXPECT_THROW(run({"~db.nokey"}), Error);
  EXPECT_NE(error_of({"~db.port=1"}).find("3306"), std::string::npos);
}

TEST_F(ConfigTree, AddsAndRejectsGroups) {
  ComposedConfig c = run({"+extra=on"});
  EXPECT_TRUE(c.table["extra"]["flag"].value_or(false));
  EXPECT_EQ(c.origin_of("extra.flag"), "configs/extra/on.toml");
  EXPECT_NE(error_of({"extra=on"}).find("+extra=on"), std::string::npos);
  EXPECT_NE(error_of({"+db=postgres"}).find("already"), std::string::npos);
  EXPECT_NE(error_of({"a=1,2"}).find("multirun"), std::string::npos);
}

TEST_F(ConfigTree, ValidationErrorsNameTheOrigin) {
  int port = 0, timeout = 0;
  std::string host, name;
  std::vector<int> hidden;
  double lr = 0;
  OptionSchema top(""), db("db"), model("model");
  top.field("name", name, "app name");
  db.field("host", host, "").field("port", port, "").field("timeout", timeout, "");
  model.field("hidden", hidden, "").field("lr", lr, "");
  const std::vector<const OptionSchema*> schemas = {&top, &db, &model};
  apply_schemas(run({"db.port=99"}), schemas);
  EXPECT_EQ(port, 99);
  EXPECT_EQ(host, "localhost");
  auto error = [&](const std::vector<std::string>& o) -> std::string {
    try {
      apply_schemas(run(o), schemas);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_NE(error({"model=typo"}).find("configs/model/typo.toml: unknown key 'model.hiden'"),
            std::string::npos);
  EXPECT_NE(error({"model.lr=abc"}).find("override 'model.lr=abc': bad value \"abc\""),
            std::string::npos);
  EXPECT_NE(error({"+extra=on"}).find("configs/extra/on.toml: unknown key 'extra.flag'"),
            std::string::npos);
}

// Every integer field, alone or in a list, takes only integers an int holds; numbers take
// integers too; a named value reads back as its name.
TEST(OptionSchema, NumbersAreCheckedAloneAndInLists) {
  int count = 0, spacing = 0;
  double rate = 0;
  std::vector<int> sizes;
  std::vector<double> rates;
  OptionSchema s("t");
  s.field("count", count, "").field("rate", rate, "").field("sizes", sizes, "");
  s.field("rates", rates, "").number_or_name("spacing", spacing, {{"auto", -7}}, "");
  s.apply(toml::parse("count = 3\nrate = 2\nsizes = [1, 2]\nrates = [1, 0.5]\nspacing = \"auto\""),
          "f");
  EXPECT_EQ(count, 3);
  EXPECT_EQ(rate, 2.0);
  EXPECT_EQ(sizes, (std::vector<int>{1, 2}));
  EXPECT_EQ(rates, (std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(spacing, -7);
  EXPECT_EQ(s.to_table()["spacing"].value_or(std::string()), "auto");
  for (const char* bad :
       {"count = 1.5", "count = 4294967296", "sizes = [1, 4294967296]", "sizes = [1.5]",
        "rates = [\"x\"]", "rate = \"x\"", "spacing = \"often\"", "spacing = 2.5"})
    EXPECT_THROW(s.apply(toml::parse(bad), "f"), Error) << bad;
  s.apply(toml::parse("spacing = 4"), "f");
  EXPECT_EQ(spacing, 4);
  EXPECT_EQ(s.to_table()["spacing"].value_or(0), 4);
}

TEST(OverrideParser, ParsesOperatorsAndValues) {
  Override o = parse_override("++train.lr=3e-4");
  EXPECT_EQ(o.op, OverrideOp::force_add);
  EXPECT_EQ(o.key, "train.lr");
  EXPECT_EQ(o.value(), "3e-4");
  EXPECT_FALSE(o.sweep);
  EXPECT_EQ(parse_override("+experiment=x").op, OverrideOp::add);
  Override del = parse_override("~model.dropout");
  EXPECT_EQ(del.op, OverrideOp::remove);
  EXPECT_FALSE(del.has_value());
  Override quoted = parse_override("name=\"a,b\"");
  EXPECT_FALSE(quoted.sweep);
  EXPECT_EQ(quoted.value(), "\"a,b\"");
  EXPECT_FALSE(parse_override("x='a,b'").sweep);
  EXPECT_FALSE(parse_override("model.hidden=[100,200,100]").sweep);
  EXPECT_EQ(parse_override("data.root=").value(), "");
  for (const char* bad : {"=1", "novalue", "a..b=1", "a=[1,2", "a=\"x", "a=1,,2", "~a=1,2",
                          "a=range(0,0)", "a=range(0,5,0)", "a=range(x,3)", "g@pkg=x"}) {
    try {
      parse_override(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(OverrideParser, ParsesSweeps) {
  Override list = parse_override("a=1,2,3");
  EXPECT_TRUE(list.sweep);
  EXPECT_EQ(list.values, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(parse_override("a=range(0,10,3)").values,
            (std::vector<std::string>{"0", "3", "6", "9"}));
  EXPECT_THROW(parse_override("a=range(3)"), Error);  // Hydra's range needs start and stop
  EXPECT_EQ(parse_override("a=range(5,0,-2)").values, (std::vector<std::string>{"5", "3", "1"}));
  EXPECT_EQ(parse_override("a=range(0,1,0.25)").values,
            (std::vector<std::string>{"0.0", "0.25", "0.5", "0.75"}));
  EXPECT_EQ(parse_override("a=range(0,0.3,0.1)").values,
            (std::vector<std::string>{"0.0", "0.1", "0.2"}));
  // Found by tests/fuzz (fuzz_config): a long range was expanded into memory value by value, and a
  // range ending near the end of long long overflowed its counter (and then ran on for ever).
  for (const char* huge : {"a=range(0,1000000000)", "a=range(0,1e12,0.5)", "a=range(0,1,1e-300)"}) {
    try {
      parse_override(huge);
      ADD_FAILURE() << "accepted " << huge;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("over 100000 values"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(parse_override("a=range(9223372036854775805,9223372036854775807,4)").values,
            (std::vector<std::string>{"9223372036854775805"}));
  EXPECT_EQ(parse_override("a=range(-9223372036854775807,-9223372036854775808,-3)").values,
            (std::vector<std::string>{"-9223372036854775807"}));
  Override lists = parse_override("model.hidden=[100,200,100],[256,256]");
  EXPECT_TRUE(lists.sweep);
  EXPECT_EQ(lists.values, (std::vector<std::string>{"[100,200,100]", "[256,256]"}));
  EXPECT_EQ(parse_override("m=choice(mlp, svm)").values, (std::vector<std::string>{"mlp", "svm"}));
  EXPECT_EQ(parse_override("s=\"a,b\",c").values, (std::vector<std::string>{"\"a,b\"", "c"}));
}

TEST(Sweep, CartesianProductFirstOverrideSlowest) {
  const std::vector<Override> o = parse_overrides({"a=1,2", "c=5", "+b=x,y,z"});
  EXPECT_EQ(sweep_size(o), 6u);
  const std::vector<SweepPoint> points = expand_sweeps(o);
  ASSERT_EQ(points.size(), 6u);
  std::vector<std::string> lines;
  for (const SweepPoint& p : points) lines.push_back(overrides_text(p));
  EXPECT_EQ(lines[0], "a=1\nc=5\n+b=x\n");
  EXPECT_EQ(lines[1], "a=1\nc=5\n+b=y\n");
  EXPECT_EQ(lines[2], "a=1\nc=5\n+b=z\n");
  EXPECT_EQ(lines[3], "a=2\nc=5\n+b=x\n");
  EXPECT_EQ(lines[5], "a=2\nc=5\n+b=z\n");
  for (const SweepPoint& p : points)
    for (const Override& x : p) EXPECT_FALSE(x.sweep);
  EXPECT_EQ(expand_sweeps(parse_overrides({"x=range(0,10,3)"})).size(), 4u);
  const auto nested =
      expand_sweeps(parse_overrides({"model.hidden=[100,200,100],[256,256]", "lr=1,2"}));
  ASSERT_EQ(nested.size(), 4u);
  EXPECT_EQ(nested[2][0].text, "model.hidden=[256,256]");
  EXPECT_EQ(expand_sweeps({}).size(), 1u);
  EXPECT_EQ(expand_sweeps(parse_overrides({"a=1"})).size(), 1u);
}

// The configs/ and experiments/ the runner ships.
ComposedConfig real(const std::vector<std::string>& overrides) {
  return compose(ConfigSources::at(AUDIFY_SOURCE_DIR), parse_overrides(overrides));
}

TEST(RealConfigs, DefaultsAreTheSeedRecipe) {
  ComposedConfig c = real({});
  EXPECT_EQ(c.table["features"]["n_mfcc"].value_or(0), 40);
  EXPECT_EQ(c.table["features"]["sample_rate"].value_or(0), 22050);
  EXPECT_EQ(c.table["features"]["resample"].value_or(std::string()), "kaiser_fast");
  EXPECT_EQ(c.table["model"]["hidden"].as_array()->size(), 3u);
  EXPECT_DOUBLE_EQ(c.table["train"]["lr"].value_or(0.0), 1e-3);
  EXPECT_DOUBLE_EQ(c.table["train"]["eps"].value_or(0.0), 1e-7);
  EXPECT_EQ(c.table["split"]["kind"].value_or(std::string()), "random");
  EXPECT_EQ(c.table["data"]["root"].value_or(std::string("x")), "");
  EXPECT_EQ(c.table["device"].value_or(std::string()), "auto");
  EXPECT_EQ(c.table["output_root"].value_or(std::string()), "outputs");
  EXPECT_EQ(c.origin_of("model.hidden"), "configs/model/mlp.toml");
  EXPECT_EQ(c.origin_of("device"), "configs/config.toml");
  // The resolved text reads back as the same config.
  const std::string text = to_toml_string(c.table);
  EXPECT_EQ(toml::parse(text), c.table);
  EXPECT_NE(text.find("lr = 0.001\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_fraction = 0.3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hidden = [100, 200, 100]\n"), std::string::npos) << text;
}

TEST(TomlWriter, RoundTripsAwkwardValues) {
  toml::table t = toml::parse(R"(
    "odd key" = "quote \" back\\slash\ttab"
    whole = 3.0
    tiny = -1e-300
    big = inf
    nested = [[1, 2], [], [{ a = 1 }]]
    [a.b]
    c = 1979-05-27T07:32:00Z
  )");
  EXPECT_EQ(toml::parse(to_toml_string(t)), t) << to_toml_string(t);
}

TEST(RealConfigs, GroupChoicesAndExperiments) {
  ComposedConfig k = real({"split=kfold"});
  EXPECT_EQ(k.table["split"]["kind"].value_or(std::string()), "kfold");
  EXPECT_FALSE(k.table["split"]["test_fraction"]);  // the random split's keys are gone
  ComposedConfig o = real({"+experiment=official_10fold", "data.root=/data/UrbanSound8K"});
  EXPECT_EQ(o.experiment, "official_10fold");
  EXPECT_EQ(o.table["split"]["kind"].value_or(std::string()), "kfold");
  EXPECT_EQ(o.table["data"]["root"].value_or(std::string()), "/data/UrbanSound8K");
  EXPECT_EQ(o.origin_of("data.root"), "override 'data.root=/data/UrbanSound8K'");
  EXPECT_EQ(o.origin_of("split.folds"), "experiments/official_10fold.toml");
  for (const char* name : {"reproduce_audify", "grouped_70_30"}) {
    ComposedConfig e = real({std::string("+experiment=") + name});
    EXPECT_EQ(e.table["experiment"].value_or(std::string()), name);
    EXPECT_EQ(e.table["data"]["clips_per_class"].value_or(-1), 0);  // urbansound8k chosen
  }
  EXPECT_EQ(real({"+experiment=grouped_70_30"}).table["split"]["kind"].value_or(std::string()),
            "grouped");
}

}  // namespace
}  // namespace audify
