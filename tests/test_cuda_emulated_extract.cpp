// The GPU path of extraction in host emulation, against the CPU: the Salamon statistics (and the
// deltas behind them) over random batches and short clips with every output buffer poisoned, the
// real UrbanSound8K clips of ../shared, the batched extract_features (decoding overlapping GPU
// batches, a bad clip or a non-finite row failing alone), and `audify extract device=cuda` end to
// end through AUDIFY_CUDA_EMULATE=1.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "audio/load.h"
#include "backend_emulated.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "cuda_conformance.h"
#include "data/feature_table.h"
#include "features/backend.h"
#include "features/extract.h"
#include "features/feature_options.h"
#include "test_support.h"

namespace audify {
namespace {

class CudaEmulatedStats : public ::testing::TestWithParam<unsigned> {};

TEST_P(CudaEmulatedStats, EveryStatisticMatchesCpu) {
  const test::ConformanceCase c = test::random_case(GetParam());
  SCOPED_TRACE(c.describe());
  auto api = gpu::make_emulated_api();
  test::check_stats(*api, c);
}

INSTANTIATE_TEST_SUITE_P(RandomShapes, CudaEmulatedStats, ::testing::Range(1u, 13u));

// 1 to 10 frames: every shrunk delta window (librosa refuses these; summary_stats.h says how the
// CPU handles them), silence (constant coefficients: skew and kurtosis 0) and a one-frame clip.
TEST(CudaEmulatedStats, ShortAndSilentClipsMatchCpu) {
  test::ConformanceCase c;
  std::mt19937 rng(5);
  for (int frames = 1; frames <= 10; ++frames) {
    std::vector<float> y = test::random_clip(rng, c.options.sample_rate);
    y.resize(static_cast<std::size_t>((frames - 1) * c.options.hop_length));
    c.clips.push_back(std::move(y));
  }
  c.clips.push_back(std::vector<float>(22050, 0.0f));
  auto api = gpu::make_emulated_api();
  test::check_stats(*api, c);
}

// The UrbanSound8K sample's real clips (kaiser_fast to 22050 Hz) through both summaries.
TEST(CudaEmulatedRealClips, MeanAndStatsMatchCpu) {
  const auto root = test::shared_path("data/urbansound8k-sample");
  if (!root) GTEST_SKIP() << "../shared/data/urbansound8k-sample is absent";
  auto api = gpu::make_emulated_api();
  test::check_real_clips(*api, *root);
}

void write_wav(const std::filesystem::path& path, const std::vector<float>& y, int rate) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << path;
  sf_writef_float(f, y.data(), static_cast<sf_count_t>(y.size()));
  sf_close(f);
}

// Mono float WAVs of different lengths (0.1 to 4 s) at 44.1 and 22.05 kHz.
std::vector<ExtractJob> write_clips(const std::filesystem::path& dir, int count) {
  std::vector<ExtractJob> jobs;
  std::mt19937 rng(11);
  for (int i = 0; i < count; ++i) {
    const int rate = i % 3 == 0 ? 44100 : 22050;
    const auto path = dir / fmt::format("clip{}.wav", i);
    write_wav(path, test::random_clip(rng, rate), rate);
    jobs.push_back({path, FeatureRow{path.filename().string(), i, 1 + i % 10, i % 10, "x", {}}});
  }
  return jobs;
}

void expect_tables_close(const ExtractResult& gpu, const ExtractResult& cpu,
                         const FeatureOptions& o) {
  ASSERT_EQ(gpu.table.columns, cpu.table.columns);
  ASSERT_EQ(gpu.table.rows.size(), cpu.table.rows.size());
  const std::vector<Stat> stats = gpu::clip_summary(o).stats;
  for (std::size_t r = 0; r < cpu.table.rows.size(); ++r) {
    SCOPED_TRACE(cpu.table.rows[r].slice_file_name);
    EXPECT_EQ(gpu.table.rows[r].slice_file_name, cpu.table.rows[r].slice_file_name);
    if (stats.empty()) {
      Matrix g(1, cpu.table.columns.size()), w(1, cpu.table.columns.size());
      g.data = gpu.table.rows[r].values;
      w.data = cpu.table.rows[r].values;
      EXPECT_TRUE(test::rows_close("row", g, w, 0, 1));
    } else {
      EXPECT_TRUE(test::stats_close(gpu.table.rows[r].values, cpu.table.rows[r].values, stats,
                                    o.mfcc.n_mfcc));
    }
  }
}

class RegisteredEmulation : public ::testing::Test {
 protected:
  void SetUp() override { cuda::register_emulated_backend(); }
  void TearDown() override { set_cuda_backend(nullptr); }
};

TEST_F(RegisteredEmulation, BatchedExtractionMatchesCpuAndFailsBadClipsAlone) {
  test::TempDir dir("gpu_extract");
  std::vector<ExtractJob> jobs = write_clips(dir.path(), 40);  // several batches of 16
  write_file_atomic(dir.path() / "not_audio.wav", "this is not a WAV file");
  jobs.push_back({dir.path() / "not_audio.wav", FeatureRow{"not_audio.wav", 0, 1, 0, "x", {}}});
  for (const char* set : {"mfcc40_mean", "salamon2014"}) {
    SCOPED_TRACE(set);
    const FeatureOptions o = load_feature_set(set);
    ExtractOptions ex;
    ex.progress = false;
    ex.threads = 2;
    const ExtractResult cpu = extract_features(jobs, o, ex);
    ex.device = Device::cuda;
    const ExtractResult gpu = extract_features(jobs, o, ex);
    EXPECT_EQ(gpu.backend, "cuda-emulated");
    EXPECT_GE(gpu.batches, 3u);
    ASSERT_EQ(gpu.failures.size(), 1u);
    EXPECT_NE(gpu.failures[0].file.find("not_audio"), std::string::npos);
    expect_tables_close(gpu, cpu, o);
  }

  // center=false: a clip shorter than n_fft is refused inside the GPU batch; the batch is retried
  // clip by clip, so that clip alone fails, as on the CPU.
  FeatureOptions o = load_feature_set("mfcc40_mean");
  o.mfcc.center = false;
  const auto tiny_path = dir.path() / "tiny.wav";
  write_wav(tiny_path, std::vector<float>(1000, 0.1f), 22050);
  jobs.insert(jobs.begin() + 3, ExtractJob{tiny_path, FeatureRow{"tiny.wav", 0, 1, 0, "x", {}}});
  ExtractOptions ex;
  ex.progress = false;
  const ExtractResult cpu = extract_features(jobs, o, ex);
  ex.device = Device::cuda;
  const ExtractResult gpu = extract_features(jobs, o, ex);
  ASSERT_EQ(gpu.failures.size(), 2u);
  ASSERT_EQ(cpu.failures.size(), 2u);
  EXPECT_NE(gpu.failures[0].error.find("shorter than n_fft"), std::string::npos)
      << gpu.failures[0].error;
  expect_tables_close(gpu, cpu, o);
}

// Finite samples of 1e20 overflow the GPU's float32 spectra as they do the CPU's: the row goes
// through the same check on collection, so that clip alone fails and nothing of it is cached.
TEST_F(RegisteredEmulation, NonFiniteRowsFailTheirClipAlone) {
  test::TempDir dir("gpu_nonfinite");
  std::vector<ExtractJob> jobs = write_clips(dir.path(), 5);
  std::mt19937 rng(3);
  std::vector<float> loud = test::random_clip(rng, 22050);
  for (float& v : loud) v *= 1e20f;
  write_wav(dir.path() / "loud.wav", loud, 22050);
  jobs.insert(jobs.begin() + 2,
              ExtractJob{dir.path() / "loud.wav", FeatureRow{"loud.wav", 0, 1, 0, "x", {}}});
  ExtractOptions ex;
  ex.progress = false;
  ex.device = Device::cuda;
  ex.cache_dir = dir.path() / "cache";
  const ExtractResult gpu = extract_features(jobs, load_feature_set("mfcc40_mean"), ex);
  EXPECT_EQ(gpu.backend, "cuda-emulated");
  ASSERT_EQ(gpu.failures.size(), 1u);
  EXPECT_NE(gpu.failures[0].error.find("loud.wav: the features are not finite"), std::string::npos)
      << gpu.failures[0].error;
  EXPECT_EQ(gpu.table.rows.size(), 5u);
  std::size_t cached = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(ex.cache_dir))
    cached += e.is_regular_file();
  EXPECT_EQ(cached, 5u);
}

TEST_F(RegisteredEmulation, AutoPicksTheRegisteredBackend) {
  EXPECT_EQ(resolve_device(Device::auto_), Device::cuda);
  EXPECT_EQ(backend_name(Device::cuda), "cuda-emulated");
  EXPECT_EQ(make_batch_extractor(Device::auto_, FeatureOptions{})->backend(), "cuda-emulated");
  EXPECT_EQ(make_batch_extractor(Device::cpu, FeatureOptions{})->backend(), "cpu");
}

// Runs `audify extract` on the real sample with the given device and environment.
int extract_cli(const std::string& env, const std::filesystem::path& root, const std::string& set,
                const std::string& device, const std::filesystem::path& out, std::string* log) {
  return test::run_command(
      fmt::format("{} '{}' extract data.root='{}' features={} device={} "
                  "--no-cache -j 2 -o '{}'",
                  env, test::audify_binary().string(), root.string(), set, device, out.string()),
      log);
}

TEST(CudaEmulatedCli, ExtractDeviceCudaMatchesCpuCsv) {
  const auto root = test::shared_path("data/urbansound8k-sample");
  if (!root) GTEST_SKIP() << "../shared/data/urbansound8k-sample is absent";
  test::TempDir dir("gpu_cli");
  for (const char* set : {"mfcc40_mean", "salamon2014"}) {
    SCOPED_TRACE(set);
    std::string log;
    ASSERT_EQ(
        extract_cli("AUDIFY_CUDA_EMULATE=1", *root, set, "cuda", dir.path() / "gpu.csv", &log), 0)
        << log;
    EXPECT_NE(log.find("on cuda-emulated"), std::string::npos) << log;
    ASSERT_EQ(extract_cli("", *root, set, "cpu", dir.path() / "cpu.csv", &log), 0) << log;
    ExtractResult gpu, cpu;
    gpu.table = read_feature_table(dir.path() / "gpu.csv");
    cpu.table = read_feature_table(dir.path() / "cpu.csv");
    EXPECT_GT(cpu.table.rows.size(), 20u);
    expect_tables_close(gpu, cpu, load_feature_set(set));
  }
}

TEST(CudaEmulatedCli, DeviceCudaWithoutABackendSaysWhy) {
  test::TempDir dir("gpu_cli_refuse");
  std::string log;
  // This build may have the real backend; an unset CUDA_VISIBLE_DEVICES-free machine without a
  // device says so either way: the point is a clear refusal, never a silent CPU run.
  const std::string env = "AUDIFY_CUDA_EMULATE=0 CUDA_VISIBLE_DEVICES=";
  const int status = test::run_command(
      fmt::format("{} '{}' extract --files /nonexistent.wav --device cuda -o '{}'", env,
                  test::audify_binary().string(), (dir.path() / "x.csv").string()),
      &log);
  EXPECT_EQ(status, 2) << log;
  EXPECT_NE(log.find("device=cuda: the CUDA backend is unusable"), std::string::npos) << log;
  const int bench = test::run_command(fmt::format("{} '{}' bench features device=cuda --clips 2",
                                                  env, test::audify_binary().string()),
                                      &log);
  EXPECT_EQ(bench, 2) << log;
  EXPECT_NE(log.find("device=cuda: the CUDA backend is unusable"), std::string::npos) << log;
}

TEST(CudaEmulatedCli, BenchFeaturesRunsThroughTheEmulation) {
  std::string log;
  ASSERT_EQ(test::run_command(fmt::format("AUDIFY_CUDA_EMULATE=1 '{}' bench features device=cuda "
                                          "--clips 3 --repeats 1 -j 2",
                                          test::audify_binary().string()),
                              &log),
            0)
      << log;
  EXPECT_NE(log.find("clips/s"), std::string::npos) << log;
  EXPECT_NE(log.find("GB/s of samples"), std::string::npos) << log;
  EXPECT_NE(log.find("host emulation"), std::string::npos) << log;
}

}  // namespace
}  // namespace audify
