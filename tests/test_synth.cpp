// The synthetic default dataset: UrbanSound8K layout and metadata, decodable mixed formats,
// recordings confined to one fold, determinism per seed, and classes that differ measurably.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/default_dataset.h"
#include "data/synth.h"
#include "data/urbansound8k.h"
#include "test_support.h"

namespace audify {
namespace {

constexpr int kClipsPerClass = 6;

struct Row {
  std::string name;
  int fs_id, salience, fold, class_id;
  double start, end;
  std::string class_name;
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
  return cells;
}

std::vector<Row> read_rows(const std::filesystem::path& root, std::string* header) {
  std::ifstream in(root / "metadata" / "UrbanSound8K.csv");
  EXPECT_TRUE(in.good());
  std::getline(in, *header);
  std::vector<Row> rows;
  for (std::string line; std::getline(in, line);) {
    const auto c = split(line);
    EXPECT_EQ(c.size(), 8u) << line;
    if (c.size() != 8) continue;
    rows.push_back({c[0], std::stoi(c[1]), std::stoi(c[4]), std::stoi(c[5]), std::stoi(c[6]),
                    std::stod(c[2]), std::stod(c[3]), c[7]});
  }
  return rows;
}

struct Audio {
  int sample_rate = 0, channels = 0, format = 0;
  std::vector<float> samples;  // interleaved
};

Audio decode(const std::filesystem::path& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) fail("{}: {}", path.string(), sf_strerror(nullptr));
  Audio audio{info.samplerate, info.channels, info.format, {}};
  audio.samples.resize(static_cast<std::size_t>(info.frames * info.channels));
  // Raw values: no normalisation, so a clipped sample would show as |x| >= 1.
  const sf_count_t read = sf_readf_float(file, audio.samples.data(), info.frames);
  sf_close(file);
  EXPECT_EQ(read, info.frames) << path;
  return audio;
}

// Zero crossings per second of the first channel: a crude, FFT-free brightness measure.
double zero_crossing_rate(const Audio& a) {
  const auto ch = static_cast<std::size_t>(a.channels);
  std::size_t crossings = 0;
  for (std::size_t i = ch; i < a.samples.size(); i += ch)
    crossings += (a.samples[i] >= 0) != (a.samples[i - ch] >= 0);
  return static_cast<double>(crossings) * a.sample_rate / (a.samples.size() / ch);
}

class SynthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>("synth");
    SynthOptions options;
    options.out = dir_->path() / "a";
    options.clips_per_class = kClipsPerClass;
    options.seed = 7;
    options.threads = 2;
    options.progress = false;
    summary_ = generate_synthetic_dataset(options);
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::filesystem::path root() { return dir_->path() / "a"; }

  static std::unique_ptr<test::TempDir> dir_;
  static SynthSummary summary_;
};
std::unique_ptr<test::TempDir> SynthTest::dir_;
SynthSummary SynthTest::summary_;

TEST_F(SynthTest, MetadataFollowsUrbanSound8K) {
  std::string header;
  const auto rows = read_rows(root(), &header);
  EXPECT_EQ(header, kUrbanSoundHeader);
  ASSERT_EQ(rows.size(), 10u * kClipsPerClass);
  EXPECT_EQ(summary_.clips, static_cast<int>(rows.size()));
  EXPECT_EQ(summary_.metadata, root() / "metadata" / "UrbanSound8K.csv");
  std::map<int, int> per_class;
  double seconds = 0;
  for (const Row& r : rows) {
    ++per_class[r.class_id];
    ASSERT_GE(r.class_id, 0);
    ASSERT_LT(r.class_id, 10);
    EXPECT_EQ(r.class_name, kUrbanSoundClasses[static_cast<std::size_t>(r.class_id)]);
    EXPECT_GE(r.fold, 1);
    EXPECT_LE(r.fold, 10);
    EXPECT_TRUE(r.salience == 1 || r.salience == 2);
    EXPECT_GT(r.end - r.start, 0.49) << r.name;
    EXPECT_LE(r.end - r.start, 4.0 + 1e-9) << r.name;
    int fs_id = 0, class_id = 0, occurrence = 0, slice = 0;
    ASSERT_EQ(
        std::sscanf(r.name.c_str(), "%d-%d-%d-%d.wav", &fs_id, &class_id, &occurrence, &slice), 4)
        << r.name;
    EXPECT_EQ(fs_id, r.fs_id);
    EXPECT_EQ(class_id, r.class_id);
    EXPECT_TRUE(std::filesystem::is_regular_file(root() / "audio" /
                                                 ("fold" + std::to_string(r.fold)) / r.name))
        << r.name;
    seconds += r.end - r.start;
  }
  EXPECT_EQ(per_class.size(), 10u);
  for (const auto& [class_id, count] : per_class) EXPECT_EQ(count, kClipsPerClass) << class_id;
  EXPECT_NEAR(summary_.seconds, seconds, 1e-6);
}

TEST_F(SynthTest, RecordingsStayInOneFoldAndShareTheirStartGrid) {
  std::string header;
  std::map<int, std::set<std::tuple<int, int>>> fold_class;  // fsID -> {(fold, class)}
  std::map<int, int> slices;
  std::map<int, std::map<int, double>> starts;  // fsID -> slice -> start
  for (const Row& r : read_rows(root(), &header)) {
    fold_class[r.fs_id].insert({r.fold, r.class_id});
    ++slices[r.fs_id];
    int slice = 0;
    ASSERT_EQ(std::sscanf(r.name.c_str(), "%*d-%*d-%*d-%d.wav", &slice), 1);
    starts[r.fs_id][slice] = r.start;
  }
  // Slices of a recording are consecutive 4 s windows of it.
  for (const auto& [fs_id, by_slice] : starts)
    for (const auto& [slice, start] : by_slice)
      EXPECT_NEAR(start - by_slice.begin()->second, 4.0 * slice, 1e-6) << fs_id;
  EXPECT_EQ(summary_.recordings, static_cast<int>(fold_class.size()));
  for (const auto& [fs_id, set] : fold_class) EXPECT_EQ(set.size(), 1u) << fs_id;
  for (const auto& [fs_id, n] : slices) {
    EXPECT_GE(n, 2) << fs_id;
    EXPECT_LE(n, 6) << fs_id;
  }
}

TEST_F(SynthTest, EveryFileDecodesWithoutClippingInMixedFormats) {
  std::string header;
  std::set<std::tuple<int, int, int>> formats;
  for (const Row& r : read_rows(root(), &header)) {
    const Audio a = decode(root() / "audio" / ("fold" + std::to_string(r.fold)) / r.name);
    formats.insert({a.sample_rate, a.channels, a.format & SF_FORMAT_SUBMASK});
    EXPECT_EQ(a.format & SF_FORMAT_TYPEMASK, SF_FORMAT_WAV);
    const double frames = static_cast<double>(a.samples.size()) / a.channels;
    EXPECT_NEAR(frames / a.sample_rate, r.end - r.start, 1.0 / a.sample_rate) << r.name;
    float peak = 0;
    for (float x : a.samples) peak = std::max(peak, std::abs(x));
    EXPECT_LT(peak, 1.0f) << r.name;
    EXPECT_GT(peak, 1e-3f) << r.name;  // not silent
  }
  EXPECT_GE(formats.size(), 3u);
}

TEST_F(SynthTest, SameSeedGivesIdenticalBytesDifferentSeedDoesNot) {
  SynthOptions options;
  options.out = dir_->path() / "b";
  options.clips_per_class = kClipsPerClass;
  options.seed = 7;
  options.threads = 1;  // a different thread count must not matter
  options.progress = false;
  generate_synthetic_dataset(options);
  options.out = dir_->path() / "c";
  options.seed = 8;
  generate_synthetic_dataset(options);

  const auto csv = std::filesystem::path("metadata") / "UrbanSound8K.csv";
  EXPECT_EQ(read_file(root() / csv), read_file(dir_->path() / "b" / csv));
  EXPECT_NE(read_file(root() / csv), read_file(dir_->path() / "c" / csv));
  std::string header;
  for (const Row& r : read_rows(root(), &header)) {
    const auto rel = std::filesystem::path("audio") / ("fold" + std::to_string(r.fold)) / r.name;
    EXPECT_EQ(read_file(root() / rel), read_file(dir_->path() / "b" / rel)) << rel;
  }
}

TEST_F(SynthTest, ClassesDifferInBrightnessButVaryWithin) {
  std::string header;
  std::map<int, std::vector<double>> zcr;
  for (const Row& r : read_rows(root(), &header))
    zcr[r.class_id].push_back(
        zero_crossing_rate(decode(root() / "audio" / ("fold" + std::to_string(r.fold)) / r.name)));
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  const double siren = mean(zcr[8]), engine = mean(zcr[5]);
  EXPECT_GT(siren, 2 * engine) << "siren " << siren << " engine_idling " << engine;
  for (const auto& [class_id, values] : zcr) {
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    EXPECT_GT(*hi, *lo * 1.02) << "class " << class_id << " has no variation";
  }
}

// `audify run` on the default data (data.root = "") generates the set once into the cache folder,
// keyed by version and options, not into ./data of the working directory, and a run from another
// folder reuses it rather than generating it again.
TEST(Synth, TheDefaultSetLivesInTheCacheFolderAndIsReused) {
  const test::TempDir dir("synth-cache");
  const std::filesystem::path cache = dir.path() / "cache";
  const auto run_in = [&](const std::string& folder) {
    std::filesystem::create_directories(dir.path() / folder);
    std::string out;
    EXPECT_EQ(
        test::run_command("cd '" + (dir.path() / folder).string() + "' && AUDIFY_CACHE_DIR='" +
                              cache.string() + "' '" + test::audify_binary().string() +
                              "' run -q data.clips_per_class=2 train.epochs=1",
                          &out),
        0)
        << out;
  };
  run_in("first");
  const std::filesystem::path set =
      cache / "synthetic" /
      ("v" + std::to_string(kSynthGeneratorVersion) + "_urbansound8k_2x_seed0");
  ASSERT_TRUE(std::filesystem::exists(set / "metadata" / "UrbanSound8K.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "first" / "data"));
  const auto made = std::filesystem::last_write_time(set / "metadata" / "UrbanSound8K.csv");
  run_in("second");
  EXPECT_EQ(std::filesystem::last_write_time(set / "metadata" / "UrbanSound8K.csv"), made);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "second" / "data"));
}

TEST(Synth, RejectsBadOptions) {
  SynthOptions options;
  EXPECT_THROW(generate_synthetic_dataset(options), Error);  // no output folder
  options.out = "unused";
  options.clips_per_class = 0;
  EXPECT_THROW(generate_synthetic_dataset(options), Error);
}

}  // namespace
}  // namespace audify
