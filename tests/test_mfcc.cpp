// The CPU MFCC backend: closed-form checks of each stage (mel filterbank, DCT, FFT power, top_db,
// framing, padding, option validation) and golden parity with librosa 0.10.2 on real clips.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <thread>

#include "core/error.h"
#include "features/dct.h"
#include "features/extractor.h"
#include "features/mel_filterbank.h"
#include "features/mfcc_cpu.h"
#include "test_support.h"

namespace audify {
namespace {

// The Slaney mel scale written out independently of mfcc_math.h.
double slaney_mel(double hz) {
  return hz < 1000 ? 3 * hz / 200 : 15 + 27 * std::log(hz / 1000) / std::log(6.4);
}
double slaney_hz(double mel) {
  return mel < 15 ? 200 * mel / 3 : 1000 * std::exp((mel - 15) * std::log(6.4) / 27);
}

TEST(MelFilterbank, MatchesTheSlaneyTriangles) {
  const int sr = 22050, n_fft = 2048, n_mels = 128;
  const MelFilterbank bank = make_mel_filterbank(sr, n_fft, n_mels, 0.0, sr / 2.0);
  const Matrix w = bank.dense();
  ASSERT_EQ(w.rows, 128u);
  ASSERT_EQ(w.cols, 1025u);
  const double bin_hz = static_cast<double>(sr) / n_fft;
  std::vector<double> f(n_mels + 2);
  for (int i = 0; i < n_mels + 2; ++i) f[i] = slaney_hz(slaney_mel(sr / 2.0) * i / (n_mels + 1));
  const std::vector<double> lib = mel_frequencies(n_mels + 2, 0.0, sr / 2.0);
  for (int i = 0; i < n_mels + 2; ++i) EXPECT_NEAR(lib[i], f[i], 1e-9 * (1 + f[i])) << i;

  for (int k = 0; k < n_mels; ++k) {
    const double enorm = 2.0 / (f[k + 2] - f[k]);
    double area = 0;
    std::size_t peak = 0;
    for (std::size_t b = 0; b < w.cols; ++b) {
      const double fb = b * bin_hz;
      const double tri = std::max(
          0.0, std::min((fb - f[k]) / (f[k + 1] - f[k]), (f[k + 2] - fb) / (f[k + 2] - f[k + 1])));
      ASSERT_NEAR(w(k, b), enorm * tri, 1e-5 * enorm) << "band " << k << " bin " << b;
      area += w(k, b) * bin_hz;
      if (w(k, b) > w(k, peak)) peak = b;
    }
    const double centre_bin = f[k + 1] / bin_hz;
    EXPECT_TRUE(peak == static_cast<std::size_t>(std::floor(centre_bin)) ||
                peak == static_cast<std::size_t>(std::ceil(centre_bin)))
        << "band " << k << " peaks at bin " << peak << ", centre " << centre_bin;
    // Slaney normalisation: unit area, visible once a band spans many bins.
    if ((f[k + 2] - f[k]) / bin_hz > 16) {
      EXPECT_NEAR(area, 1.0, 0.02) << "band " << k;
    }
  }
}

TEST(MelFilterbank, RejectsBadArguments) {
  EXPECT_THROW(make_mel_filterbank(22050, 0, 128, 0, 11025), Error);
  EXPECT_THROW(make_mel_filterbank(22050, 2048, 0, 0, 11025), Error);
  EXPECT_THROW(make_mel_filterbank(22050, 2048, 128, 12000, 11025), Error);
}

TEST(Dct, SquareMatrixIsOrthonormal) {
  for (int n : {13, 40, 128}) {
    const Matrix d = make_dct_ortho(n, n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        double dot = 0;
        for (int k = 0; k < n; ++k) dot += static_cast<double>(d(i, k)) * d(j, k);
        ASSERT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-5) << n << ": " << i << "," << j;
      }
  }
  EXPECT_NEAR(make_dct_ortho(40, 128)(0, 7), 1 / std::sqrt(128.0), 1e-7);
  EXPECT_THROW(make_dct_ortho(41, 40), Error);
}

TEST(PowerSpectrum, PureSinePeaksAtItsBin) {
  const int n_fft = 2048, sr = 22050;
  const RealFft fft(n_fft);
  const std::vector<float> window = cpu_mfcc::padded_hann_window(n_fft, n_fft);
  FftBuffer frame = fft_buffer(n_fft);
  FftBuffer spectrum = fft_buffer(2 * fft.n_bins());
  std::vector<float> power(fft.n_bins());
  for (double hz : {100 * static_cast<double>(sr) / n_fft, 1000.0, 5512.5}) {
    std::vector<float> y(n_fft);
    for (int i = 0; i < n_fft; ++i)
      y[i] = static_cast<float>(std::sin(2 * std::numbers::pi * hz * i / sr));
    cpu_mfcc::window_frame(y.data(), 0, window, frame.get());
    fft.forward(frame.get(), spectrum.get());
    cpu_mfcc::power_spectrum(spectrum.get(), fft.n_bins(), 2.0f, power.data());
    const auto peak = std::max_element(power.begin(), power.end()) - power.begin();
    EXPECT_EQ(peak, std::lround(hz * n_fft / sr)) << hz << " Hz";
    // Hann-windowed unit sine: |X| at an exact bin is n_fft / 4.
    if (hz == 100 * static_cast<double>(sr) / n_fft) {
      EXPECT_NEAR(std::sqrt(power[peak]), n_fft / 4.0, 0.01);
    }
  }
}

std::vector<float> test_signal(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  std::vector<float> y(n);
  for (std::size_t i = 0; i < n; ++i)
    y[i] = (i < n / 2 ? 0.5f * static_cast<float>(std::sin(0.07 * i)) : 0.0f) +
           (i % 3000 < 1500 ? noise(rng) : 0.0f);
  return y;
}

TEST(CpuExtractor, TopDbClampsToMaxMinus80) {
  auto ex = make_cpu_extractor(MfccOptions{});
  const Matrix m = ex->log_mel(test_signal(22050 * 2, 1));
  const float hi = *std::max_element(m.data.begin(), m.data.end());
  const float lo = *std::min_element(m.data.begin(), m.data.end());
  EXPECT_GE(lo, hi - 80.0f - 1e-4f);
  EXPECT_NEAR(lo, hi - 80.0f, 1e-4f);  // silent stretches hit the floor
}

TEST(CpuExtractor, FrameCountIsOnePlusSamplesOverHop) {
  auto ex = make_cpu_extractor(MfccOptions{});
  for (std::size_t n : {0u, 1u, 511u, 512u, 513u, 2048u, 88200u}) {
    const Matrix m = ex->mfcc(test_signal(n, 2));
    EXPECT_EQ(m.rows, 1 + n / 512) << n;
    EXPECT_EQ(m.cols, 40u);
  }
}

TEST(CpuExtractor, ReflectAndConstantPaddingDifferOnlyAtTheEdges) {
  MfccOptions options;
  options.top_db = 0;  // no clip-wide clamp, so interior frames must match exactly
  auto constant = make_cpu_extractor(options);
  options.pad_mode = PadMode::reflect;
  auto reflect = make_cpu_extractor(options);
  const std::vector<float> y = test_signal(22050, 3);
  const Matrix a = constant->log_mel(y), b = reflect->log_mel(y);
  ASSERT_EQ(a.rows, b.rows);
  const long long edge = (options.n_fft / 2 + options.hop_length - 1) / options.hop_length;  // 2
  for (std::size_t t = 0; t < a.rows; ++t) {
    const bool touches_padding =
        static_cast<long long>(t) < edge ||
        static_cast<long long>(t * 512 + 1024) > static_cast<long long>(y.size());
    const bool same = std::equal(a.row(t).begin(), a.row(t).end(), b.row(t).begin());
    EXPECT_EQ(same, !touches_padding) << "frame " << t;
  }
}

TEST(CpuExtractor, ExtractorsOnSeveralThreadsAgree) {
  const std::vector<float> y = test_signal(22050, 4);
  const Matrix want = make_cpu_extractor(MfccOptions{})->mfcc(y);
  std::vector<Matrix> got(4);
  std::vector<std::thread> threads;
  for (auto& g : got) {
    threads.emplace_back([&y, &g] {
      MfccOptions options;
      auto ex = make_cpu_extractor(options);  // plans for this size already exist: shared
      for (int i = 0; i < 5; ++i) g = ex->mfcc(y);
    });
  }
  for (auto& t : threads) t.join();
  for (const Matrix& g : got) EXPECT_EQ(g.data, want.data);
}

TEST(CpuExtractor, ValidatesOptionsNamingTheKey) {
  auto expect_error = [](auto change, const std::string& key) {
    MfccOptions o;
    change(o);
    try {
      make_cpu_extractor(o);
      ADD_FAILURE() << key << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  expect_error([](MfccOptions& o) { o.n_fft = 0; }, "n_fft");
  expect_error([](MfccOptions& o) { o.hop_length = 0; }, "hop_length");
  expect_error([](MfccOptions& o) { o.win_length = 4096; }, "win_length");
  expect_error([](MfccOptions& o) { o.n_mels = 0; }, "n_mels");
  expect_error([](MfccOptions& o) { o.n_mfcc = 129; }, "n_mfcc");
  expect_error([](MfccOptions& o) { o.fmax = 12000; }, "fmax");
  expect_error([](MfccOptions& o) { o.fmin = -1; }, "fmin");
  expect_error([](MfccOptions& o) { o.amin = 0; }, "amin");
  MfccOptions reflect;
  reflect.pad_mode = PadMode::reflect;
  EXPECT_THROW(make_cpu_extractor(reflect)->mfcc({}), Error);
}

std::vector<float> read_wav(const std::filesystem::path& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) {
    ADD_FAILURE() << path << ": " << sf_strerror(nullptr);
    return {};
  }
  EXPECT_EQ(info.samplerate, 22050);
  EXPECT_EQ(info.channels, 1);
  std::vector<float> y(static_cast<std::size_t>(info.frames));
  EXPECT_EQ(sf_readf_float(file, y.data(), info.frames), info.frames);
  sf_close(file);
  return y;
}

// Max |got - want| over the clip, as a fraction of the clip's max |want|.
double parity_ratio(const Matrix& got, const Matrix& want) {
  EXPECT_EQ(got.rows, want.rows);
  EXPECT_EQ(got.cols, want.cols);
  if (got.rows != want.rows || got.cols != want.cols) return 1.0;
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < want.data.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(got.data[i]) - want.data[i]));
    scale = std::max(scale, std::abs(static_cast<double>(want.data[i])));
  }
  return diff / scale;
}

TEST(CpuExtractor, MatchesLibrosaGoldenFeatures) {
  const auto dir = test::shared_path("golden/urbansound8k-sample/exact");
  if (!dir) GTEST_SKIP() << "no golden/urbansound8k-sample/exact in the shared folder";
  auto seed = make_cpu_extractor(MfccOptions{});
  MfccOptions salamon_options;
  salamon_options.n_mfcc = 25;
  salamon_options.n_fft = salamon_options.win_length = 512;
  salamon_options.hop_length = 256;
  salamon_options.n_mels = 40;
  salamon_options.fmax = 11025;
  auto salamon = make_cpu_extractor(salamon_options);
  int clips = 0;
  double worst[3] = {0, 0, 0};
  for (const auto& entry : std::filesystem::directory_iterator(*dir)) {
    if (entry.path().extension() != ".wav") continue;
    const std::string name = entry.path().stem().string();
    const std::vector<float> y = read_wav(entry.path());
    const double r[3] = {
        parity_ratio(seed->log_mel(y), test::read_numeric_csv(*dir / (name + ".logmel128.csv"))),
        parity_ratio(seed->mfcc(y), test::read_numeric_csv(*dir / (name + ".mfcc40.csv"))),
        parity_ratio(salamon->mfcc(y),
                     test::read_numeric_csv(*dir / (name + ".mfcc25_salamon.csv")))};
    std::printf("  %-16s logmel128 %.2e  mfcc40 %.2e  mfcc25_salamon %.2e\n", name.c_str(), r[0],
                r[1], r[2]);
    for (int i = 0; i < 3; ++i) {
      EXPECT_LE(r[i], 1e-3) << name << " variant " << i;
      worst[i] = std::max(worst[i], r[i]);
    }
    ++clips;
  }
  std::printf("  worst: logmel128 %.2e  mfcc40 %.2e  mfcc25_salamon %.2e over %d clips\n", worst[0],
              worst[1], worst[2], clips);
  EXPECT_GT(clips, 0);
}

}  // namespace
}  // namespace audify
