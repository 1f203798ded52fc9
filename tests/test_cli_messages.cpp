// The CLI's small promises: extract names its table after the dataset and the feature set (so a
// second dataset does not overwrite the first's), --files writes where --help says, each error is
// printed once, and data.features naming a folder says what it expects.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "data/wav_writer.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class CliMessages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("cli_messages");
    std::string out;
    for (const char* name : {"street", "park"})
      ASSERT_EQ(
          audify(dir_->path(), std::string("synth --out ") + name + " --clips-per-class 1", &out),
          0)
          << out;
    std::vector<float> tone(22050);
    for (std::size_t t = 0; t < tone.size(); ++t)
      tone[t] = 0.3f * static_cast<float>(std::sin(0.1 * static_cast<double>(t)));
    write_wav_atomic(dir_->path() / "a.wav", tone, {22050, 1, WavSample::kPcm16});
    write_file_atomic(dir_->path() / "garbage.bin", std::string(2000, 'x'));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static int audify(const fs::path& cwd, const std::string& args, std::string* out) {
    return test::run_command("cd " + quoted(cwd) +
                                 " && AUDIFY_CACHE_DIR=" + quoted(dir_->path() / "cache") + " " +
                                 quoted(test::audify_binary()) + " " + args,
                             out);
  }
  static test::TempDir* dir_;
};

test::TempDir* CliMessages::dir_ = nullptr;

TEST_F(CliMessages, ExtractNamesTheTableAfterTheDatasetAndFeatureSet) {
  const fs::path d = dir_->path();
  std::string out;
  ASSERT_EQ(audify(d, "extract data.root=street", &out), 0) << out;
  ASSERT_EQ(audify(d, "extract data.root=park features.n_mfcc=20", &out), 0) << out;
  EXPECT_TRUE(fs::exists(d / "outputs/features/street_mfcc40_mean.csv")) << out;
  EXPECT_TRUE(fs::exists(d / "outputs/features/park_mfcc40_mean_n_mfcc-20.csv")) << out;
  EXPECT_FALSE(fs::exists(d / "outputs/features/mfcc40_mean.csv"));
  EXPECT_NE(out.find("wrote outputs/features/park_mfcc40_mean_n_mfcc-20.csv"), std::string::npos)
      << out;
}

TEST_F(CliMessages, ExtractFilesWritesWhereHelpSays) {
  const fs::path d = dir_->path();
  std::string out, help;
  ASSERT_EQ(audify(d, "extract --files a.wav", &out), 0) << out;
  EXPECT_FALSE(fs::exists(d / "features.csv"));
  EXPECT_TRUE(fs::exists(d / "outputs/features/files_mfcc40_mean.csv")) << out;
  ASSERT_EQ(audify(d, "extract --help", &help), 0);
  EXPECT_NE(help.find("`files` with --files"), std::string::npos) << help;
  ASSERT_EQ(audify(d, "extract --files a.wav -o mine.csv", &out), 0) << out;
  EXPECT_TRUE(fs::exists(d / "mine.csv"));
}

TEST_F(CliMessages, EachErrorIsPrintedOnce) {
  const fs::path d = dir_->path();
  std::string out;
  EXPECT_EQ(audify(d, "extract --no-cache --files a.wav garbage.bin -o t.csv", &out), 1);
  EXPECT_EQ(count_of(out, "garbage.bin: "), 1u) << out;
  EXPECT_EQ(audify(d, "extract --files missing.wav -o t.csv", &out), 1);
  EXPECT_EQ(count_of(out, "missing.wav"), 1u) << out;
  EXPECT_EQ(audify(d, "classify --model nowhere a.wav", &out), 2);
  EXPECT_EQ(count_of(out, "nowhere"), 1u) << out;
  EXPECT_EQ(audify(d, "run -q data.features=" + quoted(d / "nothing.csv"), &out), 2);
  EXPECT_EQ(count_of(out, "nothing.csv"), 1u) << out;
  EXPECT_EQ(audify(d, "classify --model nowhere garbage.bin", &out), 2);
  EXPECT_EQ(count_of(out, "nowhere"), 1u) << out;
  EXPECT_EQ(audify(d, "report garbage.bin --out r", &out), 2);
  EXPECT_EQ(count_of(out, "garbage.bin"), 1u) << out;
  EXPECT_NE(out.find("garbage.bin: a file, not a run"), std::string::npos) << out;
  EXPECT_EQ(audify(d, "report nowhere --out r", &out), 2);
  EXPECT_EQ(count_of(out, "nowhere"), 1u) << out;
  EXPECT_EQ(audify(d, "monitor --model nowhere a.wav", &out), 2);
  EXPECT_EQ(count_of(out, "nowhere"), 1u) << out;
  EXPECT_EQ(audify(d, "dataset info nowhere", &out), 2);
  EXPECT_EQ(count_of(out, "nowhere"), 1u) << out;
}

// A run on a dataset with one unreadable clip goes on without it, naming the clip once (the
// extraction's error names its file already: once "x.wav: x.wav: ...").
TEST_F(CliMessages, ARunNamesAnUnreadableClipOnce) {
  const fs::path d = dir_->path();
  fs::remove_all(d / "damaged");
  fs::copy(d / "street", d / "damaged", fs::copy_options::recursive);
  fs::path victim;
  for (const auto& e : fs::recursive_directory_iterator(d / "damaged"))
    if (e.path().extension() == ".wav") victim = e.path();
  ASSERT_FALSE(victim.empty());
  write_file_atomic(victim, std::string(3000, '\x7f'));
  std::string out;
  ASSERT_EQ(audify(d, "run -q data.root=damaged output_root=damaged_runs train.epochs=1", &out), 0)
      << out;
  EXPECT_EQ(count_of(out, victim.filename().string()), 1u) << out;
  EXPECT_NE(out.find("extraction failed: damaged/"), std::string::npos) << out;
}

// An audio file (or any binary) given as data.features is said to be one; its bytes are not
// echoed as a column name.
TEST_F(CliMessages, ABinaryFeatureTableIsNamedNotEchoed) {
  const fs::path d = dir_->path();
  std::string binary(64, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 37);
  write_file_atomic(d / "noise.bin", binary + "\n" + binary);
  std::string out;
  EXPECT_EQ(audify(d, "run -q data.features=noise.bin output_root=o_bin", &out), 2);
  EXPECT_NE(out.find("noise.bin: not a feature table: binary content"), std::string::npos) << out;
  EXPECT_EQ(out.find("column 1 is"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(d / "o_bin"));
}

TEST_F(CliMessages, FeaturesNamingAFolderSaysWhatIsExpected) {
  const fs::path d = dir_->path();
  std::string out;
  EXPECT_EQ(audify(d, "run -q data.features=street output_root=o", &out), 2);
  EXPECT_NE(out.find("street: is a folder, not a feature table"), std::string::npos) << out;
  EXPECT_NE(out.find("give data.root=street instead"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(d / "o"));
}

}  // namespace
}  // namespace audify
