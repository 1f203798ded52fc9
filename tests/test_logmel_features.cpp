// features=logmel128, the CNN input, against librosa 0.10.2's own log-mel spectrograms
// (../shared/golden/urbansound8k-sample/exact/*.logmel128.csv): the preset's options through the
// same loader and extractor the pipeline uses, on the golden float32 WAVs (no resampling).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "audio/load.h"
#include "core/error.h"
#include "features/extractor.h"
#include "features/frame_features.h"
#include "test_support.h"

namespace audify {
namespace {

// Measured worst over the 12 clips: 1.3e-5 clip-relative (7.7e-4 dB), typically 2-5e-6; the
// bounds leave 3x headroom. librosa computes the STFT in float64, we in float32.
constexpr double kClipRelativeBound = 4e-5;
constexpr double kMixedBound = 4e-5;

struct Agreement {
  double clip_relative = 0;  // max |audify - librosa| / max |librosa| over the clip
  double max_abs_db = 0;     // max |audify - librosa|, dB
  double mixed = 0;          // max |diff| / (1 + |librosa|): relative where |value| > 1 dB
};

Agreement compare(const Matrix& got, const Matrix& want) {
  EXPECT_EQ(got.rows, want.rows);
  EXPECT_EQ(got.cols, want.cols);
  if (got.rows != want.rows || got.cols != want.cols) return {1, 1e9, 1e9};
  Agreement a;
  double scale = 0;
  for (std::size_t i = 0; i < want.data.size(); ++i) {
    const double diff = std::abs(static_cast<double>(got.data[i]) - want.data[i]);
    a.max_abs_db = std::max(a.max_abs_db, diff);
    a.mixed = std::max(a.mixed, diff / (1.0 + std::abs(static_cast<double>(want.data[i]))));
    scale = std::max(scale, std::abs(static_cast<double>(want.data[i])));
  }
  a.clip_relative = a.max_abs_db / scale;
  return a;
}

TEST(LogMel128, MatchesLibrosaGoldenSpectrograms) {
  const auto dir = test::shared_path("golden/urbansound8k-sample/exact");
  if (!dir) GTEST_SKIP() << "no golden/urbansound8k-sample/exact in the shared folder";
  const FeatureOptions options = load_feature_set("logmel128");
  auto extractor = make_cpu_extractor(options.mfcc);
  Agreement worst;
  int clips = 0;
  for (const auto& entry : std::filesystem::directory_iterator(*dir)) {
    if (entry.path().extension() != ".wav") continue;
    const std::string name = entry.path().stem().string();
    const Audio audio = load_audio(entry.path(), options.load);
    const Matrix frames = frame_features(*extractor, audio.samples, options);
    EXPECT_EQ(frames.cols, 128u) << name;
    const Agreement a = compare(frames, test::read_numeric_csv(*dir / (name + ".logmel128.csv")));
    std::printf("  %-16s %4zu frames: clip-relative %.2e, max %.2e dB, mixed %.2e\n", name.c_str(),
                frames.rows, a.clip_relative, a.max_abs_db, a.mixed);
    EXPECT_LE(a.clip_relative, kClipRelativeBound) << name;
    EXPECT_LE(a.mixed, kMixedBound) << name;
    worst.clip_relative = std::max(worst.clip_relative, a.clip_relative);
    worst.max_abs_db = std::max(worst.max_abs_db, a.max_abs_db);
    worst.mixed = std::max(worst.mixed, a.mixed);
    ++clips;
  }
  std::printf("  worst over %d clips: clip-relative %.2e, max %.2e dB, mixed %.2e\n", clips,
              worst.clip_relative, worst.max_abs_db, worst.mixed);
  EXPECT_EQ(clips, 12);
}

TEST(LogMel128, IsFrameLevelLogMelWithoutAFeatureTable) {
  const FeatureOptions options = load_feature_set("logmel128");
  EXPECT_EQ(options.frames, Frames::log_mel);
  EXPECT_EQ(options.summary, Summary::none);
  EXPECT_EQ(options.mfcc.n_mels, 128);
  // A summarising model (MLP, SVM, forest) asked to use it is told why, before any extraction.
  try {
    feature_columns(options);
    ADD_FAILURE() << "feature_columns accepted summary = none";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("features.summary"), std::string::npos) << e.what();
  }
  FeatureOptions summarised = options;
  summarised.summary = Summary::mean;
  EXPECT_THROW(finalize(summarised), Error);  // summaries are computed from MFCCs only
}

TEST(LogMel128, FramesFollowTheOption) {
  FeatureOptions options = load_feature_set("mfcc40_mean");
  auto extractor = make_cpu_extractor(options.mfcc);
  std::vector<float> y(22050);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::sin(0.05f * static_cast<float>(i));
  EXPECT_EQ(frame_features(*extractor, y, options).cols, 40u);
  options.frames = Frames::log_mel;
  const Matrix mel = frame_features(*extractor, y, options);
  EXPECT_EQ(mel.cols, 128u);
  EXPECT_EQ(mel.data, extractor->log_mel(y).data);
}

}  // namespace
}  // namespace audify
