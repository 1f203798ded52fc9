// The conformance suite shared by test_cuda_emulated (host emulation, every CI run) and
// test_cuda_device (a real GPU): every stage of MfccGpu and the whole pipeline against the CPU
// reference, over random configurations and batches of clips of different lengths (ggml's
// test-backend-ops style), the configuration printed on failure.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "audio/load.h"
#include "features/dct.h"
#include "features/extract.h"
#include "features/extractor.h"
#include "features/feature_options.h"
#include "features/mel_filterbank.h"
#include "features/mfcc_cpu.h"
#include "features/summary_stats.h"
#include "mfcc_gpu.h"

namespace audify::test {

struct ConformanceCase {
  MfccOptions options;
  std::vector<std::vector<float>> clips;

  std::string describe() const {
    const MfccOptions& o = options;
    std::string lengths;
    for (const auto& c : clips) lengths += fmt::format("{} ", c.size());
    return fmt::format(
        "n_fft={} win={} hop={} center={} pad={} power={} n_mels={} n_mfcc={} top_db={} "
        "clip lengths: {}",
        o.n_fft, o.win_length, o.hop_length, o.center,
        o.pad_mode == PadMode::reflect ? "reflect" : "constant", o.power, o.n_mels, o.n_mfcc,
        o.top_db, lengths);
  }
};

// Noise plus a few tones, with an occasional silent stretch, 0.1 s to 4 s at 22050 Hz.
inline std::vector<float> random_clip(std::mt19937& rng, int sample_rate) {
  std::uniform_int_distribution<int> length(sample_rate / 10, 4 * sample_rate);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::uniform_real_distribution<double> freq(50.0, 8000.0);
  std::vector<float> y(static_cast<std::size_t>(length(rng)));
  const float noise = 0.05f + 0.2f * std::abs(unit(rng));
  const double f1 = freq(rng), f2 = freq(rng);
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double t = static_cast<double>(i) / sample_rate;
    y[i] = noise * unit(rng) + static_cast<float>(0.3 * std::sin(2 * mfcc_math::kPi * f1 * t) +
                                                  0.1 * std::sin(2 * mfcc_math::kPi * f2 * t));
  }
  if (rng() % 3 == 0) std::fill(y.begin(), y.begin() + static_cast<long>(y.size() / 4), 0.0f);
  return y;
}

inline ConformanceCase random_case(unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](std::initializer_list<int> v) { return v.begin()[rng() % v.size()]; };
  ConformanceCase c;
  MfccOptions& o = c.options;
  o.n_fft = pick({512, 2048});
  o.win_length = rng() % 4 == 0 ? o.n_fft * 3 / 4 : o.n_fft;
  o.hop_length = o.n_fft / pick({2, 4, 5});
  o.center = rng() % 5 != 0;
  o.pad_mode = rng() % 2 == 0 ? PadMode::constant : PadMode::reflect;
  o.power = rng() % 4 == 0 ? 1.0 : 2.0;
  o.n_mels = pick({40, 128});
  o.n_mfcc = pick({13, 25, 40});
  o.top_db = pick({80, 60});
  const int batch = 1 + static_cast<int>(rng() % 7);
  for (int i = 0; i < batch; ++i) c.clips.push_back(random_clip(rng, o.sample_rate));
  return c;
}

// max |got - want| <= rel * max |want| over rows [begin, end) of both.
inline ::testing::AssertionResult rows_close(const char* stage, const Matrix& got,
                                             const Matrix& want, std::size_t begin, std::size_t end,
                                             double rel = 1e-4) {
  if (got.cols != want.cols || got.rows < end || want.rows < end)
    return ::testing::AssertionFailure() << stage << ": shape (" << got.rows << ", " << got.cols
                                         << ") vs (" << want.rows << ", " << want.cols << ")";
  double max_ref = 0, max_diff = 0;
  std::size_t worst = 0;
  for (std::size_t i = begin * want.cols; i < end * want.cols; ++i) {
    max_ref = std::max(max_ref, std::abs(static_cast<double>(want.data[i])));
    const double d = std::abs(static_cast<double>(got.data[i]) - want.data[i]);
    if (std::isnan(d) || d > max_diff) {  // NaN counts as the worst
      worst = i;
      max_diff = std::isnan(d) ? std::numeric_limits<double>::infinity() : d;
    }
  }
  if (max_diff <= rel * max_ref) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << stage << ": max |delta| " << max_diff << " > " << rel << " * max |ref| " << max_ref
         << " at row " << worst / want.cols << " col " << worst % want.cols << " (got "
         << got.data[worst] << ", want " << want.data[worst] << ")";
}

// Every stage of the batch on `api` against the CPU backend's steps, clip by clip.
inline void check_stages(gpu::GpuApi& api, const ConformanceCase& c) {
  const MfccOptions& o = c.options;
  gpu::MfccGpu gpu(o, api);
  std::vector<std::span<const float>> spans(c.clips.begin(), c.clips.end());
  const gpu::MfccGpu::Trace trace = gpu.trace_batch(spans);
  ASSERT_EQ(trace.first_frame.size(), c.clips.size() + 1);

  const std::vector<float> window = cpu_mfcc::padded_hann_window(o.win_length, o.n_fft);
  const MelFilterbank bank =
      make_mel_filterbank(o.sample_rate, o.n_fft, o.n_mels, o.fmin, o.fmax_hz());
  const Matrix dct = make_dct_ortho(o.n_mfcc, o.n_mels);
  const RealFft fft(o.n_fft);
  FftBuffer frame = fft_buffer(static_cast<std::size_t>(o.n_fft));
  FftBuffer spectrum = fft_buffer(2 * static_cast<std::size_t>(fft.n_bins()));
  for (std::size_t k = 0; k < c.clips.size(); ++k) {
    SCOPED_TRACE(fmt::format("clip {} of the batch", k));
    std::vector<float> padded;
    std::span<const float> signal = c.clips[k];
    if (o.center) {
      cpu_mfcc::pad_signal(signal, o.n_fft / 2, o.pad_mode, padded);
      signal = padded;
    }
    const auto n = static_cast<std::size_t>(o.n_frames(static_cast<long long>(c.clips[k].size())));
    const auto first = static_cast<std::size_t>(trace.first_frame[k]);
    ASSERT_EQ(static_cast<std::size_t>(trace.first_frame[k + 1]) - first, n);
    Matrix frames(n, static_cast<std::size_t>(o.n_fft)), power(n, fft.n_bins()),
        mel(n, static_cast<std::size_t>(o.n_mels));
    for (std::size_t t = 0; t < n; ++t) {
      cpu_mfcc::window_frame(signal.data(), static_cast<long long>(t) * o.hop_length, window,
                             frame.get());
      std::copy_n(frame.get(), o.n_fft, frames.row(t).data());
      fft.forward(frame.get(), spectrum.get());
      cpu_mfcc::power_spectrum(spectrum.get(), fft.n_bins(), static_cast<float>(o.power),
                               power.row(t).data());
      bank.apply(power.row(t).data(), mel.row(t).data());
    }
    auto rows = [&](const Matrix& all) {  // this clip's rows of a batch matrix
      Matrix m(n, all.cols);
      std::copy_n(all.data.begin() + static_cast<long>(first * all.cols), m.data.size(),
                  m.data.begin());
      return m;
    };
    EXPECT_TRUE(rows_close("frame+window", rows(trace.frames), frames, 0, n));
    EXPECT_TRUE(rows_close("power", rows(trace.power), power, 0, n));
    EXPECT_TRUE(rows_close("mel", rows(trace.mel), mel, 0, n));
    cpu_mfcc::power_to_db_clip(mel, o);
    EXPECT_TRUE(rows_close("power_to_db", rows(trace.log_mel), mel, 0, n));
    const Matrix mfcc = cpu_mfcc::apply_dct(mel, dct);
    EXPECT_TRUE(rows_close("dct", rows(trace.mfcc), mfcc, 0, n));
    Matrix mean(1, mfcc.cols);
    for (std::size_t j = 0; j < mfcc.cols; ++j) {
      double acc = 0;
      for (std::size_t t = 0; t < n; ++t) acc += mfcc(t, j);
      mean(0, j) = static_cast<float>(acc / static_cast<double>(n));
    }
    Matrix gpu_mean(1, mfcc.cols);
    std::copy_n(trace.mean.row(k).data(), mfcc.cols, gpu_mean.data.begin());
    EXPECT_TRUE(rows_close("mean", gpu_mean, mean, 0, 1));
  }
}

// The public entry points (batches and the FeatureExtractor adapter) against make_cpu_extractor.
inline void check_pipeline(gpu::GpuApi& api, const ConformanceCase& c) {
  gpu::MfccGpu gpu(c.options, api);
  std::vector<std::span<const float>> spans(c.clips.begin(), c.clips.end());
  const std::vector<Matrix> mfcc = gpu.mfcc_batch(spans);
  const std::vector<Matrix> log_mel = gpu.log_mel_batch(spans);
  auto cpu = make_cpu_extractor(c.options);
  auto adapter = gpu::make_gpu_extractor(c.options, api);
  ASSERT_EQ(mfcc.size(), c.clips.size());
  ASSERT_EQ(log_mel.size(), c.clips.size());
  for (std::size_t k = 0; k < c.clips.size(); ++k) {
    SCOPED_TRACE(fmt::format("clip {} of the batch", k));
    const Matrix want = cpu->mfcc(c.clips[k]);
    EXPECT_TRUE(rows_close("mfcc_batch", mfcc[k], want, 0, want.rows));
    const Matrix want_db = cpu->log_mel(c.clips[k]);
    EXPECT_TRUE(rows_close("log_mel_batch", log_mel[k], want_db, 0, want_db.rows));
    EXPECT_EQ(mfcc[k].rows, want.rows);
    if (k == 0) {
      EXPECT_TRUE(rows_close("extractor", adapter->mfcc(c.clips[k]), want, 0, want.rows));
    }
  }
}

// No NaN anywhere: with poison_outputs_for_testing on, every element some kernel should have
// written but did not is still a NaN.
inline ::testing::AssertionResult all_written(const char* what, const Matrix& m) {
  for (std::size_t i = 0; i < m.data.size(); ++i)
    if (std::isnan(m.data[i]))
      return ::testing::AssertionFailure()
             << what << ": element " << i << " (row " << i / std::max<std::size_t>(m.cols, 1)
             << ") was never written";
  return ::testing::AssertionSuccess();
}

// One statistic-major row of summary values against the CPU's, each statistic's block on its own
// scale (a variance and a kurtosis are not comparable). With the clip's MFCCs (`frames`), the
// float32 rounding of the MFCCs themselves sets a floor: a mean, median or delta is a sum of MFCCs,
// good to 1e-4 of their magnitude, a variance to that squared; and the skew and kurtosis of a
// coefficient that is constant up to rounding (silence) are rounding noise on both backends, so
// they are not compared there.
inline ::testing::AssertionResult stats_close(const std::vector<float>& got,
                                              const std::vector<float>& want,
                                              std::span<const Stat> stats, int n_mfcc,
                                              const Matrix* frames = nullptr, double rel = 1e-4) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << got.size() << " values vs " << want.size();
  double scale = 0;  // max |MFCC| of the clip
  if (frames != nullptr)
    for (float v : frames->data) scale = std::max(scale, std::abs(static_cast<double>(v)));
  auto rounding_constant = [&](int k) {
    if (frames == nullptr) return false;
    const std::vector<float> one =
        summary_stats(*frames, std::vector<Stat>{Stat::var});  // every coefficient's var
    return one[static_cast<std::size_t>(k)] <= std::pow(1e-5 * scale, 2);
  };
  for (std::size_t s = 0; s < stats.size(); ++s) {
    const bool squared =
        stats[s] == Stat::var || stats[s] == Stat::d1_var || stats[s] == Stat::d2_var;
    const bool shape = stats[s] == Stat::skew || stats[s] == Stat::kurtosis;
    double max_ref = 0;
    for (int k = 0; k < n_mfcc; ++k)
      max_ref = std::max(max_ref, std::abs(static_cast<double>(want[s * n_mfcc + k])));
    const double floor = shape ? 0 : squared ? std::pow(rel * scale, 2) : rel * scale;
    for (int k = 0; k < n_mfcc; ++k) {
      const double g = got[s * n_mfcc + k], w = want[s * n_mfcc + k];
      if (shape && rounding_constant(k)) continue;
      if (!(std::abs(g - w) <= rel * max_ref + floor))
        return ::testing::AssertionFailure()
               << stat_name(stats[s]) << " of coefficient " << k << ": got " << g << ", want " << w
               << " (tolerance " << rel * max_ref + floor << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

// The statistics (every one of features/summary_stats.h, and the deltas behind them) of a batch
// on `api`, outputs poisoned first, against summary_stats() of the CPU's MFCCs clip by clip.
inline void check_stats(gpu::GpuApi& api, const ConformanceCase& c) {
  const MfccOptions& o = c.options;
  gpu::MfccGpu gpu(o, api);
  gpu.poison_outputs_for_testing(true);
  std::vector<std::span<const float>> spans(c.clips.begin(), c.clips.end());
  const gpu::MfccGpu::Trace trace = gpu.trace_batch(spans);
  EXPECT_TRUE(all_written("mfcc", trace.mfcc));
  EXPECT_TRUE(all_written("mean", trace.mean));
  EXPECT_TRUE(all_written("d1", trace.d1));
  EXPECT_TRUE(all_written("d2", trace.d2));
  EXPECT_TRUE(all_written("stats", trace.stats));
  // A subset in another order through the public entry point: the column layout follows `stats`.
  const std::vector<Stat> some{Stat::kurtosis, Stat::median, Stat::d2_var, Stat::min};
  const Matrix subset = gpu.stats_batch(spans, some);
  EXPECT_TRUE(all_written("stats_batch", subset));
  auto cpu = make_cpu_extractor(o);
  for (std::size_t k = 0; k < c.clips.size(); ++k) {
    SCOPED_TRACE(fmt::format("clip {} of the batch", k));
    const Matrix mfcc = cpu->mfcc(c.clips[k]);
    const auto first = static_cast<std::size_t>(trace.first_frame[k]);
    Matrix d1(mfcc.rows, mfcc.cols), d2(mfcc.rows, mfcc.cols);
    std::copy_n(trace.d1.data.begin() + static_cast<long>(first * mfcc.cols), d1.data.size(),
                d1.data.begin());
    std::copy_n(trace.d2.data.begin() + static_cast<long>(first * mfcc.cols), d2.data.size(),
                d2.data.begin());
    // A delta is a weighted sum of MFCCs: its error follows their magnitude, not its own.
    Matrix want_d(mfcc.rows, 2 * mfcc.cols), got_d(mfcc.rows, 2 * mfcc.cols);
    const Matrix cpu_d1 = delta(mfcc, 1), cpu_d2 = delta(mfcc, 2);
    for (std::size_t t = 0; t < mfcc.rows; ++t)
      for (std::size_t j = 0; j < mfcc.cols; ++j) {
        want_d(t, j) = cpu_d1(t, j), want_d(t, mfcc.cols + j) = cpu_d2(t, j);
        got_d(t, j) = d1(t, j), got_d(t, mfcc.cols + j) = d2(t, j);
      }
    double mfcc_max = 0, delta_max = 0;
    for (float v : mfcc.data) mfcc_max = std::max(mfcc_max, std::abs(static_cast<double>(v)));
    for (float v : want_d.data) delta_max = std::max(delta_max, std::abs(static_cast<double>(v)));
    EXPECT_TRUE(rows_close("delta order 1 and 2", got_d, want_d, 0, mfcc.rows,
                           1e-4 * std::max(mfcc_max, delta_max) / std::max(delta_max, 1e-30)));
    const std::vector<float> want = summary_stats(mfcc, all_stats());
    const auto row = trace.stats.row(k);
    EXPECT_TRUE(stats_close({row.begin(), row.end()}, want, all_stats(), o.n_mfcc, &mfcc));
    const auto sub = subset.row(k);
    EXPECT_TRUE(
        stats_close({sub.begin(), sub.end()}, summary_stats(mfcc, some), some, o.n_mfcc, &mfcc));
  }
}

// The UrbanSound8K sample's real clips under `root` (kaiser_fast to 22050 Hz) through the mean and
// the Salamon statistics, outputs poisoned, against the CPU.
inline void check_real_clips(gpu::GpuApi& api, const std::filesystem::path& root) {
  std::vector<std::vector<float>> clips;
  const FeatureOptions mean_set = load_feature_set("mfcc40_mean");
  for (const ExtractJob& job : dataset_jobs(root))
    clips.push_back(load_audio(job.path, mean_set.load).samples);
  ASSERT_GT(clips.size(), 20u);
  std::vector<std::span<const float>> spans(clips.begin(), clips.end());
  for (const char* set : {"mfcc40_mean", "salamon2014"}) {
    SCOPED_TRACE(set);
    const FeatureOptions o = load_feature_set(set);
    ASSERT_EQ(o.load.sample_rate, mean_set.load.sample_rate);
    gpu::MfccGpu gpu(o.mfcc, api);
    gpu.poison_outputs_for_testing(true);
    const Matrix got = gpu.summary_batch(spans, gpu::clip_summary(o));
    EXPECT_TRUE(test::all_written("rows", got));
    auto cpu = make_cpu_extractor(o.mfcc);
    const std::vector<Stat> stats = gpu::clip_summary(o).stats;
    for (std::size_t k = 0; k < clips.size(); ++k) {
      SCOPED_TRACE(fmt::format("clip {}", k));
      const std::vector<float> want = summarize(cpu->mfcc(clips[k]), o);
      const auto row = got.row(k);
      if (stats.empty()) {
        Matrix g(1, want.size()), w(1, want.size());
        std::copy(row.begin(), row.end(), g.data.begin());
        std::copy(want.begin(), want.end(), w.data.begin());
        EXPECT_TRUE(test::rows_close("mean", g, w, 0, 1));
      } else {
        EXPECT_TRUE(test::stats_close({row.begin(), row.end()}, want, stats, o.mfcc.n_mfcc));
      }
    }
  }
}

}  // namespace audify::test
