// Batch extraction: feature-table round trip, the cache (hit, miss on a changed option or file),
// per-file failures that do not stop the rest, and the `audify extract` command end to end.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "data/feature_table.h"
#include "features/extract.h"
#include "test_support.h"

namespace audify {
namespace {

void write_tone(const std::filesystem::path& path, double freq, int rate = 44100,
                int channels = 2) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  std::vector<float> buf(static_cast<std::size_t>(rate * channels));  // 1 s
  for (std::size_t i = 0; i < buf.size(); ++i)
    buf[i] = static_cast<float>(
        0.3 * std::sin(2 * M_PI * freq * static_cast<double>(i / channels) / rate));
  sf_writef_float(f, buf.data(), rate);
  sf_close(f);
}

std::vector<ExtractJob> jobs_for(const std::vector<std::filesystem::path>& files) {
  std::vector<ExtractJob> jobs;
  int i = 0;
  for (const auto& f : files)
    jobs.push_back({f, FeatureRow{f.filename().string(), 100 + i, 1 + i % 10, i % 10, "x", {}}}),
        ++i;
  return jobs;
}

TEST(FeatureTable, RoundTripsAndRejectsMalformedTables) {
  test::TempDir dir("table");
  FeatureTable t;
  t.columns = {"a", "b"};
  t.rows.push_back({"x,1.wav", 7, 3, 2, "children_playing", {1.5f, -2.25e-7f}});
  t.rows.push_back({"unlabelled.wav", -1, -1, -1, "", {0.1f, 3.0f}});
  write_feature_table(dir.path() / "t.csv", t);
  const FeatureTable back = read_feature_table(dir.path() / "t.csv");
  ASSERT_EQ(back.rows.size(), 2u);
  EXPECT_EQ(back.columns, t.columns);
  EXPECT_EQ(back.rows[0].slice_file_name, "x,1.wav");
  EXPECT_EQ(back.rows[0].values, t.rows[0].values);  // exact float round trip
  EXPECT_EQ(back.rows[1].fold, -1);

  write_file_atomic(dir.path() / "bad.csv",
                    "slice_file_name,fsID,fold,classID,class,f0\na.wav,1,2,3,dog_bark,nan\n");
  try {
    read_feature_table(dir.path() / "bad.csv");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:2"), std::string::npos) << e.what();
  }
  write_file_atomic(dir.path() / "hdr.csv", "name,fold\n");
  EXPECT_THROW(read_feature_table(dir.path() / "hdr.csv"), Error);
}

TEST(Extract, CacheHitsAndInvalidation) {
  test::TempDir dir("extract-cache");
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 4; ++i) {
    files.push_back(dir.path() / fmt::format("t{}.wav", i));
    write_tone(files.back(), 200.0 + 150.0 * i);
  }
  FeatureOptions options;
  finalize(options);
  ExtractOptions ex;
  ex.cache_dir = dir.path() / "cache";
  ex.progress = false;
  ex.threads = 2;

  const ExtractResult first = extract_features(jobs_for(files), options, ex);
  ASSERT_TRUE(first.failures.empty());
  EXPECT_EQ(first.cache_hits, 0u);
  const ExtractResult second = extract_features(jobs_for(files), options, ex);
  EXPECT_EQ(second.cache_hits, 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(first.table.rows[i].values, second.table.rows[i].values);

  // A changed option misses the cache and gives different numbers.
  FeatureOptions reflect = options;
  reflect.mfcc.pad_mode = PadMode::reflect;
  const ExtractResult third = extract_features(jobs_for(files), reflect, ex);
  EXPECT_EQ(third.cache_hits, 0u);
  EXPECT_NE(third.table.rows[0].values, first.table.rows[0].values);

  // A changed file misses too.
  write_tone(files[0], 3000.0);
  const ExtractResult fourth = extract_features(jobs_for(files), options, ex);
  EXPECT_EQ(fourth.cache_hits, 3u);
  EXPECT_NE(fourth.table.rows[0].values, first.table.rows[0].values);
}

TEST(Extract, FailuresAreListedAndTheRestComplete) {
  test::TempDir dir("extract-fail");
  write_tone(dir.path() / "good.wav", 440.0);
  write_file_atomic(dir.path() / "corrupt.wav", "RIFF....WAVEjunk");
  const std::vector<std::filesystem::path> files = {
      dir.path() / "good.wav", dir.path() / "corrupt.wav", dir.path() / "missing.wav"};
  FeatureOptions options;
  finalize(options);
  ExtractOptions ex;
  ex.progress = false;
  const ExtractResult r = extract_features(jobs_for(files), options, ex);
  ASSERT_EQ(r.table.rows.size(), 1u);
  EXPECT_EQ(r.table.rows[0].slice_file_name, "good.wav");
  ASSERT_EQ(r.failures.size(), 2u);
  EXPECT_NE(r.failures[0].error.find("corrupt.wav"), std::string::npos) << r.failures[0].error;
  EXPECT_NE(r.failures[1].error.find("not found"), std::string::npos) << r.failures[1].error;
}

TEST(Extract, FramesAreWrittenAsNpyMatchingTheExtractor) {
  test::TempDir dir("extract-frames");
  write_tone(dir.path() / "tone.wav", 523.0, 22050, 1);
  FeatureOptions options;
  finalize(options);
  ExtractOptions ex;
  ex.progress = false;
  ex.frames_dir = dir.path() / "frames";
  ex.frames_log_mel = true;
  const ExtractResult r = extract_features(jobs_for({dir.path() / "tone.wav"}), options, ex);
  ASSERT_TRUE(r.failures.empty());
  const Matrix frames = read_npy(dir.path() / "frames" / "tone.npy");
  EXPECT_EQ(frames.rows, 1u + 22050u / 512u);  // 1 s at hop 512, centred
  EXPECT_EQ(frames.cols, 128u);
  // The log-mel frames peak in the band of 523 Hz.
  std::size_t best = 0;
  for (std::size_t b = 0; b < frames.cols; ++b)
    if (frames(20, b) > frames(20, best)) best = b;
  // Slaney mel: 523 Hz is 7.85 mel; band k is centred at (k + 1) * mel(11025) / 129 = (k + 1) *
  // 0.387.
  EXPECT_NEAR(static_cast<double>(best), 19.0, 1.0);
  EXPECT_THROW(read_npy(dir.path() / "tone.wav"), Error);
}

TEST(ExtractCommand, FilesModeWritesATableAndReportsFailures) {
  test::TempDir dir("extract-cli");
  write_tone(dir.path() / "a.wav", 300.0);
  write_tone(dir.path() / "b.wav", 900.0, 22050, 1);
  const auto out = dir.path() / "out.csv";
  std::string log;
  const std::string cmd =
      fmt::format("{} extract --no-cache --files {} {} --out {} features.n_mfcc=13",
                  test::audify_binary().string(), (dir.path() / "a.wav").string(),
                  (dir.path() / "b.wav").string(), out.string());
  ASSERT_EQ(test::run_command(cmd, &log), 0) << log;
  const FeatureTable t = read_feature_table(out);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.columns.size(), 13u);
  EXPECT_EQ(t.rows[1].slice_file_name, "b.wav");
  EXPECT_EQ(t.rows[1].class_id, -1);

  // One bad file: exit status 1, the good one is still written, the error names the file.
  write_file_atomic(dir.path() / "bad.wav", "not audio");
  const std::string cmd2 =
      fmt::format("{} extract --no-cache --files {} {} --out {}", test::audify_binary().string(),
                  (dir.path() / "a.wav").string(), (dir.path() / "bad.wav").string(), out.string());
  EXPECT_EQ(test::run_command(cmd2, &log), 1) << log;
  EXPECT_NE(log.find("bad.wav"), std::string::npos) << log;
  EXPECT_EQ(read_feature_table(out).rows.size(), 1u);

  // Unknown keys and bad values are errors naming the key.
  EXPECT_EQ(test::run_command(fmt::format("{} extract features.n_mfc=3 --files x.wav",
                                          test::audify_binary().string()),
                              &log),
            2);
  EXPECT_NE(log.find("n_mfc"), std::string::npos) << log;
  EXPECT_EQ(test::run_command(fmt::format("{} extract features.resample=fast --files x.wav",
                                          test::audify_binary().string()),
                              &log),
            2);
  EXPECT_NE(log.find("features.resample"), std::string::npos) << log;
}

}  // namespace
}  // namespace audify
