#include "bench/feature_bench.h"

#include <sndfile.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "audio/load.h"
#include "core/elapsed.h"
#include "core/error.h"
#include "features/extract.h"
#include "features/extractor.h"
#include "features/feature_options.h"

namespace audify {
namespace {

using Bytes = std::vector<std::byte>;

}  // namespace

// Tones plus noise, different per clip.
Bytes make_bench_wav(int index) {
  constexpr int kRate = 44100, kFrames = 4 * kRate;
  std::mt19937 rng(static_cast<unsigned>(index));
  std::normal_distribution<float> noise(0.0f, 0.05f);
  std::vector<short> pcm(2 * kFrames);
  const double f0 = 100.0 + 20.0 * index;
  for (int t = 0; t < kFrames; ++t) {
    const double s =
        0.3 * std::sin(2 * M_PI * f0 * t / kRate) + 0.1 * std::sin(2 * M_PI * 3.1 * f0 * t / kRate);
    for (int c = 0; c < 2; ++c)
      pcm[2 * t + c] = static_cast<short>(std::clamp(s + noise(rng), -1.0, 1.0) * 32767);
  }
  // RIFF header by hand: 44 bytes, PCM 16-bit stereo.
  const auto u32 = [](Bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(std::byte(v >> (8 * i)));
  };
  const auto u16 = [](Bytes& b, std::uint16_t v) {
    for (int i = 0; i < 2; ++i) b.push_back(std::byte(v >> (8 * i)));
  };
  const auto tag = [](Bytes& b, const char* s) {
    for (int i = 0; i < 4; ++i) b.push_back(std::byte(s[i]));
  };
  const std::uint32_t data_bytes = static_cast<std::uint32_t>(pcm.size() * 2);
  Bytes b;
  tag(b, "RIFF");
  u32(b, 36 + data_bytes);
  tag(b, "WAVE");
  tag(b, "fmt ");
  u32(b, 16);
  u16(b, 1);
  u16(b, 2);
  u32(b, kRate);
  u32(b, kRate * 4);
  u16(b, 4);
  u16(b, 16);
  tag(b, "data");
  u32(b, data_bytes);
  const std::size_t header = b.size();
  b.resize(header + data_bytes);
  std::memcpy(b.data() + header, pcm.data(), data_bytes);
  return b;
}

namespace {

// Whole-pipeline throughput over all clips with `threads` workers; best of `repeats`.
double pipeline_rate(const std::vector<Bytes>& wavs, const FeatureOptions& options, int threads,
                     int repeats) {
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    std::atomic<std::size_t> next{0};
    const auto t0 = SteadyClock::now();
    {
      std::vector<std::jthread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
          auto extractor = make_cpu_extractor(options.mfcc);
          for (std::size_t i; (i = next.fetch_add(1)) < wavs.size();) {
            Audio a =
                conform_audio(decode_audio_memory(wavs[i], "bench.wav"), options.load, "bench.wav");
            const Matrix m = extractor->mfcc(a.samples);
            AUDIFY_ASSERT(!summarize(m, options).empty());
          }
        });
    }
    best = std::max(best, static_cast<double>(wavs.size()) / seconds_since(t0));
  }
  return best;
}

}  // namespace

std::vector<FeatureBenchRow> run_feature_bench(const FeatureBenchOptions& options) {
  std::vector<Bytes> wavs;
  for (int i = 0; i < options.clips; ++i) wavs.push_back(make_bench_wav(i));
  const int all = resolve_threads(options.threads);

  std::vector<FeatureBenchRow> rows;
  for (Resampler resampler : options.resamplers) {
    FeatureOptions fo;
    fo.load.resampler = resampler;
    finalize(fo);

    // Stage shares, single thread, best pass.
    auto extractor = make_cpu_extractor(fo.mfcc);
    double decode = 1e9, resample_s = 1e9, mfcc = 1e9;
    for (int r = 0; r < options.repeats; ++r) {
      double d = 0, rs = 0, m = 0;
      for (const Bytes& w : wavs) {
        auto t0 = SteadyClock::now();
        Audio a = decode_audio_memory(w, "bench.wav");
        d += seconds_since(t0);
        t0 = SteadyClock::now();
        a = conform_audio(std::move(a), fo.load, "bench.wav");
        rs += seconds_since(t0);
        t0 = SteadyClock::now();
        const Matrix frames = extractor->mfcc(a.samples);
        AUDIFY_ASSERT(!summarize(frames, fo).empty());
        m += seconds_since(t0);
      }
      decode = std::min(decode, d), resample_s = std::min(resample_s, rs), mfcc = std::min(mfcc, m);
    }
    const double n = static_cast<double>(wavs.size());
    for (int threads : {1, all}) {
      FeatureBenchRow row{resampler,
                          threads,
                          pipeline_rate(wavs, fo, threads, options.repeats),
                          1e3 * decode / n,
                          1e3 * resample_s / n,
                          1e3 * mfcc / n};
      rows.push_back(row);
      if (all == 1) break;
    }
  }
  return rows;
}

}  // namespace audify
