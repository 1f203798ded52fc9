// Bounds of the features.* options, checked where the config is validated (finalize) with an error
// naming the key and its allowed range; filterbanks with empty mel bands; resampling ratios beyond
// the filter; and `audify run` refusing such values before any run folder exists.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "audio/resample.h"
#include "core/error.h"
#include "features/feature_options.h"
#include "features/mel_filterbank.h"
#include "test_support.h"

namespace audify {
namespace {

// finalize() on the defaults with one change must throw, its message holding every `needle`.
void expect_refused(const std::function<void(FeatureOptions&)>& change,
                    const std::vector<std::string>& needles) {
  FeatureOptions o;
  change(o);
  try {
    finalize(o);
    ADD_FAILURE() << needles.front() << ": accepted";
  } catch (const Error& e) {
    for (const std::string& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos)
          << "'" << n << "' in " << e.what();
  }
}

TEST(FeatureBounds, SampleRatesTheResamplersCannotReachAreRefused) {
  for (int rate : {1, 2, 10, 100, 749, 384001})
    expect_refused([rate](FeatureOptions& o) { o.load.sample_rate = rate; },
                   {"features.sample_rate", "[750, 384000]"});
  for (int rate : {750, 8000, 384000}) {
    FeatureOptions o;
    o.load.sample_rate = rate;
    o.mfcc.n_mels = 40;  // 128 bands of a 2048-point FFT leave some empty at 384 kHz
    try {
      finalize(o);
    } catch (const Error& e) {
      ADD_FAILURE() << rate << ": " << e.what();
    }
    EXPECT_EQ(o.mfcc.sample_rate, rate);
  }
}

TEST(FeatureBounds, FrameOptionsAreBoundedNamingTheKey) {
  expect_refused([](FeatureOptions& o) { o.mfcc.n_fft = o.mfcc.win_length = 1 << 20; },
                 {"features.n_fft", "65536"});
  expect_refused([](FeatureOptions& o) { o.mfcc.hop_length = 0; }, {"features.hop_length", ">= 1"});
  expect_refused([](FeatureOptions& o) { o.mfcc.win_length = 4096; }, {"features.win_length"});
  expect_refused([](FeatureOptions& o) { o.mfcc.top_db = -1; }, {"features.top_db", ">= 0"});
  expect_refused([](FeatureOptions& o) { o.mfcc.top_db = std::nan(""); }, {"features.top_db"});
  expect_refused([](FeatureOptions& o) { o.mfcc.power = 0; }, {"features.power", "(0, 8]"});
  expect_refused([](FeatureOptions& o) { o.mfcc.power = 100; }, {"features.power"});
  expect_refused([](FeatureOptions& o) { o.mfcc.ref = 0; }, {"features.ref"});
  expect_refused([](FeatureOptions& o) { o.mfcc.amin = std::numeric_limits<double>::infinity(); },
                 {"features.amin"});
  expect_refused([](FeatureOptions& o) { o.mfcc.fmax = 20000; }, {"features.fmax", "11025"});
  expect_refused([](FeatureOptions& o) { o.mfcc.fmin = std::nan(""); }, {"features.fmin"});
  expect_refused([](FeatureOptions& o) { o.mfcc.n_mfcc = 200; }, {"features.n_mfcc"});
  FeatureOptions top_db_off;
  top_db_off.mfcc.top_db = 0;  // documented: keep the whole range
  EXPECT_NO_THROW(finalize(top_db_off));
}

// n_fft=16 gives 9 bins for 128 bands: librosa warns and yields constant rows (F1 0.0125 in a run).
TEST(FeatureBounds, EmptyMelBandsAreAnErrorNamingTheOptions) {
  expect_refused(
      [](FeatureOptions& o) {
        o.mfcc.n_fft = 16;
        o.mfcc.win_length = 16;
      },
      {"features.n_mels", "n_fft=16", "128 bands", "fmin=0", "fmax=11025"});
  try {
    make_mel_filterbank(22050, 256, 128, 0, 11025);
    ADD_FAILURE() << "empty bands accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("holds no FFT bin"), std::string::npos) << e.what();
  }
  // The embedded feature sets all have a bin in every band.
  EXPECT_NO_THROW(load_feature_set("mfcc40_mean"));
  EXPECT_NO_THROW(load_feature_set("salamon2014"));
}

// A file's own rate can be far above the highest target: 1 MHz to 750 Hz is beyond the 512
// points per zero crossing of kaiser_fast (an abort before), not beyond kaiser_best's 8192.
TEST(FeatureBounds, DownsamplingBeyondTheFilterIsAnErrorNotAnAbort) {
  const std::vector<float> x(4000, 0.25f);
  for (auto resample_fn : {&detail::resampy_resample, &detail::resampy_resample_generic}) {
    try {
      resample_fn(x, 1000000, 750, Resampler::kaiser_fast);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("1000000 -> 750 Hz"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("kaiser_fast"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(resample(x, 1000000, 750, Resampler::kaiser_best).size(), 3u);
}

// End to end: the values of the issue exit 2 (a user error) with the key named, and leave no run
// folder.
TEST(FeatureBounds, RunRefusesBadFeatureValuesBeforeCreatingARunFolder) {
  test::TempDir dir("feature-bounds-run");
  const std::filesystem::path table = dir.path() / "t.csv";
  test::write_mfcc_mean_table(table);
  struct Case {
    std::string override_, key;
  };
  for (const Case& c :
       std::vector<Case>{{"features.sample_rate=1", "features.sample_rate"},
                         {"features.sample_rate=100", "features.sample_rate"},
                         {"features.n_fft=16 features.win_length=16", "features.n_mels"},
                         {"features.n_fft=1048576", "features.n_fft"},
                         {"features.hop_length=0", "features.hop_length"},
                         {"features.top_db=-5", "features.top_db"}}) {
    std::string out;
    const int status = test::run_command(
        "'" + test::audify_binary().string() + "' run -q data.features='" + table.string() +
            "' output_root='" + (dir.path() / "out").string() + "' train.epochs=1 " + c.override_,
        &out);
    EXPECT_EQ(status, 2) << c.override_ << ": " << out;  // audify::Error, not an abort (134)
    EXPECT_NE(out.find(c.key), std::string::npos) << c.override_ << ": " << out;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "out")) << "a run folder for a bad config";
}

}  // namespace
}  // namespace audify
