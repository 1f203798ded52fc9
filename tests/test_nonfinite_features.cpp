// Audio whose samples are finite but far outside [-1, 1] overflows the float32 spectra into inf and
// NaN features: that clip's extraction fails naming it (the others continue), nothing is cached,
// and a trained model refuses to classify it rather than answering a class.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/wav_writer.h"
#include "features/extract.h"
#include "serve/trained_model.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

// 1 s of a 440 Hz tone at `amplitude` as a float WAV (float WAVs may hold any finite value).
void write_tone(const fs::path& path, double amplitude) {
  std::vector<float> y(22050);
  for (std::size_t i = 0; i < y.size(); ++i)
    y[i] =
        static_cast<float>(amplitude * std::sin(2 * M_PI * 440.0 * static_cast<double>(i) / 22050));
  write_wav_atomic(path, y, {22050, 1, WavSample::kFloat32});
}

// classify_bytes takes the file's bytes; the string must outlive the call.
std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

std::size_t files_under(const fs::path& dir) {
  std::size_t n = 0;
  if (fs::exists(dir))
    for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST(NonFiniteFeatures, AreTheClipsErrorAndNeverCached) {
  test::TempDir dir("nonfinite-extract");
  write_tone(dir.path() / "quiet.wav", 0.3);
  write_tone(dir.path() / "loud.wav", 1e20);
  write_tone(dir.path() / "quiet2.wav", 0.2);
  std::vector<ExtractJob> jobs;
  for (const char* name : {"quiet.wav", "loud.wav", "quiet2.wav"})
    jobs.push_back({dir.path() / name, FeatureRow{name, 1, 1, 0, "x", {}}});
  FeatureOptions options;
  finalize(options);
  ExtractOptions ex;
  ex.cache_dir = dir.path() / "cache";
  ex.progress = false;
  for (int pass = 0; pass < 2; ++pass) {  // the second pass must not find the row in the cache
    SCOPED_TRACE(pass);
    const ExtractResult r = extract_features(jobs, options, ex);
    ASSERT_EQ(r.table.rows.size(), 2u);
    EXPECT_EQ(r.table.rows[0].slice_file_name, "quiet.wav");
    EXPECT_EQ(r.table.rows[1].slice_file_name, "quiet2.wav");
    for (const FeatureRow& row : r.table.rows)
      for (float v : row.values) EXPECT_TRUE(std::isfinite(v));
    ASSERT_EQ(r.failures.size(), 1u);
    EXPECT_NE(r.failures[0].error.find("loud.wav"), std::string::npos) << r.failures[0].error;
    EXPECT_NE(r.failures[0].error.find("not finite"), std::string::npos) << r.failures[0].error;
    EXPECT_EQ(r.cache_hits, pass == 0 ? 0u : 2u);
    EXPECT_EQ(files_under(ex.cache_dir), 2u) << "only the finite rows are cached";
  }
}

TEST(NonFiniteFeatures, RequireFiniteNamesTheColumn) {
  FeatureOptions options;
  finalize(options);
  std::vector<float> row(40, 1.0f);
  EXPECT_NO_THROW(require_finite_features(row, options, "ok.wav"));
  row[3] = std::nanf("");
  row[7] = INFINITY;
  try {
    require_finite_features(row, options, "bad.wav");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad.wav"), std::string::npos) << what;
    EXPECT_NE(what.find("mfcc_3 = NaN"), std::string::npos) << what;
    EXPECT_NE(what.find("2 of 40"), std::string::npos) << what;
  }
}

TEST(NonFiniteFeatures, TrainedModelRefusesToClassifyThem) {
  test::TempDir dir("nonfinite-model");
  test::write_mfcc_mean_table(dir.path() / "t.csv");
  std::string out;
  ASSERT_EQ(test::run_command("'" + test::audify_binary().string() + "' run -q data.features='" +
                                  (dir.path() / "t.csv").string() + "' output_root='" +
                                  (dir.path() / "runs").string() + "' train.epochs=2",
                              &out),
            0)
      << out;
  fs::path run;
  for (const auto& e : fs::directory_iterator(dir.path() / "runs" / "default")) run = e.path();
  const auto model = TrainedModel::load(run);
  write_tone(dir.path() / "quiet.wav", 0.3);
  write_tone(dir.path() / "loud.wav", 1e20);
  const std::string quiet = read_file(dir.path() / "quiet.wav");
  const std::string loud = read_file(dir.path() / "loud.wav");
  EXPECT_NO_THROW(model->classify_bytes(as_bytes(quiet), "quiet.wav"));
  try {
    const Classification c = model->classify_bytes(as_bytes(loud), "loud.wav");
    ADD_FAILURE() << "classified as class " << c.predicted;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("loud.wav: the features are not finite"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace audify
