// Resampling: librosa's output length, frequency/amplitude/DC preservation for every method,
// resampy's regenerated filter tables, and golden outputs from resampy 0.4.2 itself.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "audio/resample.h"
#include "audio/resampy_filter.h"
#include "core/error.h"

namespace audify {
namespace {

#include "golden/resample_golden.inc"

constexpr Resampler kMethods[] = {Resampler::soxr_hq, Resampler::kaiser_fast,
                                  Resampler::kaiser_best};
constexpr int kRates[][2] = {{44100, 22050}, {48000, 22050}, {11025, 22050}, {8000, 22050}};

std::vector<float> sine(int sr, double freq, double amplitude, double seconds) {
  std::vector<float> x(static_cast<size_t>(sr * seconds));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(amplitude * std::sin(2.0 * std::numbers::pi * freq * i / sr));
  }
  return x;
}

// The middle 80 %: away from the zero-padded edges the filters see.
std::span<const float> interior(const std::vector<float>& y) {
  return std::span<const float>(y).subspan(y.size() / 10, y.size() * 8 / 10);
}

std::string label(Resampler m, int sr_in, int sr_out) {
  return std::string(resampler_name(m)) + " " + std::to_string(sr_in) + "->" +
         std::to_string(sr_out);
}

TEST(Resample, NamesAreLibrosaResTypes) {
  EXPECT_EQ(resampler_name(Resampler::soxr_hq), "soxr_hq");
  EXPECT_EQ(resampler_name(Resampler::kaiser_fast), "kaiser_fast");
  EXPECT_EQ(resampler_name(Resampler::kaiser_best), "kaiser_best");
}

TEST(Resample, LengthIsLibrosaCeil) {
  const std::vector<size_t> lengths = {1000, 4410, 9600, 17639, 32000};
  for (Resampler m : kMethods) {
    for (const auto& rates : kRates) {
      for (size_t n : lengths) {
        const std::vector<float> x(n, 0.25f);
        const auto y = resample(x, rates[0], rates[1], m);
        const double ratio = static_cast<double>(rates[1]) / rates[0];
        EXPECT_EQ(y.size(), static_cast<size_t>(std::ceil(static_cast<double>(n) * ratio)))
            << label(m, rates[0], rates[1]) << " n=" << n;
        EXPECT_EQ(y.size(), resampled_length(n, rates[0], rates[1]));
      }
    }
  }
  // librosa's double arithmetic: 108 * (22050 / 37800) is 63.000000000000007, so ceil gives 64
  // where exact arithmetic says 63; resampy makes 63 and the fix-up pads one zero.
  EXPECT_EQ(resampled_length(108, 37800, 22050), 64u);
  const std::vector<float> x(108, 0.25f);
  const auto y = resample(x, 37800, 22050, Resampler::kaiser_fast);
  ASSERT_EQ(y.size(), 64u);
  EXPECT_EQ(y.back(), 0.0f);
  EXPECT_NE(y[62], 0.0f);
}

TEST(Resample, EqualRatesReturnTheInput) {
  const auto x = sine(22050, 440.0, 0.5, 0.1);
  for (Resampler m : kMethods) EXPECT_EQ(resample(x, 22050, 22050, m), x);
}

TEST(Resample, SineKeepsFrequencyAndAmplitude) {
  constexpr double kFreq = 440.0;
  constexpr double kAmplitude = 0.5;
  for (Resampler m : kMethods) {
    for (const auto& rates : kRates) {
      const int sr_out = rates[1];
      const auto y = resample(sine(rates[0], kFreq, kAmplitude, 1.0), rates[0], sr_out, m);
      const auto mid = interior(y);
      float peak = 0.0f;
      int crossings = 0;
      for (size_t i = 0; i < mid.size(); ++i) {
        peak = std::max(peak, std::abs(mid[i]));
        if (i > 0 && (mid[i - 1] < 0.0f) != (mid[i] < 0.0f)) ++crossings;
      }
      const double expected = 2.0 * kFreq * static_cast<double>(mid.size()) / sr_out;
      EXPECT_NEAR(crossings, expected, 2.0) << label(m, rates[0], sr_out);
      EXPECT_NEAR(peak, kAmplitude, 0.01 * kAmplitude) << label(m, rates[0], sr_out);
    }
  }
}

TEST(Resample, DcStaysDc) {
  for (Resampler m : kMethods) {
    for (const auto& rates : kRates) {
      const std::vector<float> x(static_cast<size_t>(rates[0]), 0.3f);
      const auto y = resample(x, rates[0], rates[1], m);
      for (float v : interior(y)) {
        ASSERT_NEAR(v, 0.3, 1e-3 * 0.3) << label(m, rates[0], rates[1]);
      }
    }
  }
}

TEST(Resample, ResampyFiltersMatchThePackagedTables) {
  // Values read from resampy 0.4.2's data/kaiser_{fast,best}.npz.
  struct Case {
    Resampler which;
    int num_zeros, num_table;
    double h1, h_zero, h_5p3, h_last;
  };
  const Case cases[] = {
      {Resampler::kaiser_fast, 24, 512, 0.8682078663793662, 0.12701518156463654,
       0.045804326108756295, 2.52862410602962e-06},
      {Resampler::kaiser_best, 50, 8192, 0.9173469810437871, 0.08152366085960197,
       0.057575421015632594, -5.289331422066904e-08},
  };
  for (const Case& c : cases) {
    const ResampyFilter& f = resampy_filter(c.which);
    const auto& h = f.half_window;
    ASSERT_EQ(h.size(), static_cast<size_t>(c.num_zeros) * c.num_table + 1);
    EXPECT_EQ(f.num_table, c.num_table);
    EXPECT_EQ(h[0], f.rolloff);  // sinc(0) = 1 under an untapered window centre
    EXPECT_NEAR(h[1], c.h1, 1e-12 * std::abs(c.h1));
    EXPECT_NEAR(h[static_cast<size_t>(c.num_table)], c.h_zero, 1e-12 * std::abs(c.h_zero));
    EXPECT_NEAR(h[static_cast<size_t>(5 * c.num_table + 3)], c.h_5p3, 1e-12 * std::abs(c.h_5p3));
    EXPECT_NEAR(h.back(), c.h_last, 1e-11 * std::abs(c.h_last));
    EXPECT_EQ(&resampy_filter(c.which), &f);  // built once and cached
  }
}

TEST(Resample, MatchesResampyGolden) {
  struct Case {
    const char* name;
    Resampler method;
    int sr_in, sr_out;
    std::span<const float> in, out;
  };
  const Case cases[] = {
      {"fast 44.1k", Resampler::kaiser_fast, 44100, 22050, kFast44To22In, kFast44To22Out},
      {"best 44.1k", Resampler::kaiser_best, 44100, 22050, kBest44To22In, kBest44To22Out},
      {"fast 11k", Resampler::kaiser_fast, 11025, 22050, kFast11To22In, kFast11To22Out},
      {"best 11k", Resampler::kaiser_best, 11025, 22050, kBest11To22In, kBest11To22Out},
      {"fast 48k (zero-padded)", Resampler::kaiser_fast, 48000, 22050, kFast48To22In,
       kFast48To22Out},
  };
  for (const Case& c : cases) {
    const auto y = resample(c.in, c.sr_in, c.sr_out, c.method);
    ASSERT_EQ(y.size(), c.out.size()) << c.name;
    double max_diff = 0.0;
    for (size_t i = 0; i < y.size(); ++i) {
      max_diff = std::max(max_diff, static_cast<double>(std::abs(y[i] - c.out[i])));
    }
    EXPECT_LE(max_diff, 1e-6) << c.name;
  }
}

TEST(Resample, PolyphaseFastPathMatchesGenericPath) {
  // The tabulated path (resampy_polyphase) against the generic loop on white noise, including
  // 48k/96k/16k/8k, whose phases sit on index boundaries resampy's rounding may cross.
  constexpr int kFastRates[][2] = {{44100, 22050}, {48000, 22050}, {11025, 22050},
                                   {8000, 22050},  {16000, 22050}, {96000, 22050}};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> noise(-0.5f, 0.5f);
  for (Resampler m : {Resampler::kaiser_fast, Resampler::kaiser_best}) {
    for (const auto& rates : kFastRates) {
      std::vector<float> x(static_cast<size_t>(rates[0]) * 3 / 2 + 37);
      for (float& v : x) v = noise(rng);
      const auto fast = detail::resampy_resample(x, rates[0], rates[1], m);
      const auto generic = detail::resampy_resample_generic(x, rates[0], rates[1], m);
      ASSERT_EQ(fast.size(), generic.size()) << label(m, rates[0], rates[1]);
      double max_diff = 0.0;
      for (size_t i = 0; i < fast.size(); ++i) {
        max_diff = std::max(max_diff, static_cast<double>(std::abs(fast[i] - generic[i])));
      }
      EXPECT_LE(max_diff, 1e-7) << label(m, rates[0], rates[1]);
    }
  }
}

TEST(Resample, BadRatesAndTooShortInputThrow) {
  const std::vector<float> x(100, 0.1f);
  for (Resampler m : kMethods) {
    EXPECT_THROW(resample(x, 0, 22050, m), Error);
    EXPECT_THROW(resample(x, 44100, -1, m), Error);
  }
  // resampy refuses to produce zero samples (int(1 * 0.5) == 0); so do we.
  const std::vector<float> one(1, 0.1f);
  EXPECT_THROW(resample(one, 44100, 22050, Resampler::kaiser_fast), Error);
}

}  // namespace
}  // namespace audify
