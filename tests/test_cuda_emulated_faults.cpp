// The GPU path's failure handling, reached through the emulation's injected faults
// (gpu::EmulatedFaults): a refused allocation leaves the buffer ready to allocate again and a batch
// that ran out of memory is retried clip by clip; a kernel failing asynchronously fails its own
// batch only; the trainer names what failed and stays usable; and a training step captured as a
// graph finds cuBLAS already initialised.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "cuda_conformance.h"
#include "features/backend.h"
#include "features/extract_batched.h"
#include "features/feature_options.h"
#include "gpu_api.h"
#include "mfcc_gpu.h"
#include "mlp_gpu.h"
#include "nn/mlp.h"
#include "nn/trainer.h"

namespace audify {
namespace {

using Faults = std::shared_ptr<gpu::EmulatedFaults>;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CudaEmulatedFaults, AllocationFailuresThrow) {
  const Faults faults = std::make_shared<gpu::EmulatedFaults>();
  faults->max_alloc_bytes = 1000;
  auto api = gpu::make_faulty_emulated_api(faults);
  api->free(api->alloc(1000));
  try {
    api->alloc(1001);
    ADD_FAILURE() << "an allocation over the limit must throw";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "out of memory allocating 1001 bytes")) << e.what();
  }
  faults->fail_alloc_number = faults->allocations + 2;
  api->free_host(api->alloc_host(8));
  EXPECT_THROW(api->alloc_host(8), Error);
  api->free(api->alloc(8));  // only the Nth fails
}

// A grow() whose allocation throws leaves the array empty, not claiming its old size over a null
// buffer, so the next (smaller) grow() allocates.
template <typename Array>
void expect_grow_recovers() {
  const Faults faults = std::make_shared<gpu::EmulatedFaults>();
  auto api = gpu::make_faulty_emulated_api(faults);
  Array a(*api);
  ASSERT_NE(a.grow(16), nullptr);
  faults->max_alloc_bytes = 64 * sizeof(float);
  EXPECT_THROW(a.grow(1000), Error);
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_EQ(a.size(), 0u);
  float* p = a.grow(8);
  ASSERT_NE(p, nullptr);
  EXPECT_GE(a.size(), 8u);
  p[7] = 1.0f;  // host memory in the emulation: writable either way
}

TEST(CudaEmulatedFaults, DeviceArrayGrowsAgainAfterAFailedAllocation) {
  expect_grow_recovers<gpu::DeviceArray<float>>();
}

TEST(CudaEmulatedFaults, PinnedArrayGrowsAgainAfterAFailedAllocation) {
  expect_grow_recovers<gpu::PinnedArray<float>>();
}

// A batch too big for the device's memory fails; the next, smaller one runs on fresh buffers and
// gets the CPU's features.
// The biggest buffer one clip of at most 4 s needs (MfccGpu's FFT runs over chunks of 256 frames):
// a limit that one clip fits in and a batch of several does not.
std::size_t one_clip_limit(const MfccOptions& o) {
  return std::size_t{256} * static_cast<std::size_t>(o.n_fft + 2) * sizeof(float);
}

// Clips of 3 to 4 s (130 to 173 frames at librosa's defaults).
std::vector<std::vector<float>> make_clips(int count, int sample_rate) {
  std::mt19937 rng(3);
  std::vector<std::vector<float>> clips;
  for (int i = 0; i < count; ++i) {
    std::vector<float> y = test::random_clip(rng, sample_rate);
    y.resize(static_cast<std::size_t>(3 * sample_rate + (i % 3) * sample_rate / 2));
    clips.push_back(std::move(y));
  }
  return clips;
}

TEST(CudaEmulatedFaults, MfccRecoversFromABatchThatRanOutOfMemory) {
  const MfccOptions o;
  const Faults faults = std::make_shared<gpu::EmulatedFaults>();
  auto api = gpu::make_faulty_emulated_api(faults);
  gpu::MfccGpu gpu(o, *api);
  const std::vector<std::vector<float>> clips = make_clips(8, o.sample_rate);
  const std::vector<std::span<const float>> longest{clips[2]};
  gpu.mfcc_mean_batch(longest);  // sizes every buffer for one 4 s clip
  faults->max_alloc_bytes = one_clip_limit(o);
  const std::vector<std::span<const float>> all(clips.begin(), clips.end());
  EXPECT_THROW(gpu.mfcc_mean_batch(all), Error);
  const std::vector<std::span<const float>> shorter{clips[0]};  // fits the failed buffer's old size
  const std::vector<Matrix> got = gpu.mfcc_batch(shorter);
  const Matrix want = make_cpu_extractor(o)->mfcc(clips[0]);
  EXPECT_TRUE(test::rows_close("after the failed batch", got.front(), want, 0, want.rows));
}

struct Outcome {
  std::map<std::size_t, std::vector<float>> rows;
  std::map<std::size_t, std::string> failed;
  std::size_t batches = 0;
};

// extract_batched with one loader thread (so batch k holds clips [4k, 4k + 4)) over `extractor`.
Outcome extract(const std::vector<std::vector<float>>& clips, BatchExtractor& extractor) {
  Outcome out;
  std::mutex m;
  BatchedCallbacks cb;
  cb.make_loader = [&] {
    return [&](std::size_t i) -> std::optional<std::vector<float>> { return clips[i]; };
  };
  cb.row = [&](std::size_t i, std::vector<float> row) {
    std::lock_guard lock(m);
    out.rows[i] = std::move(row);
  };
  cb.failed = [&](std::size_t i, std::string error) {
    std::lock_guard lock(m);
    out.failed[i] = std::move(error);
  };
  out.batches = extract_batched(clips.size(), 1, extractor, cb).batches;
  return out;
}

void expect_row_matches_cpu(const Outcome& got, const Outcome& cpu, std::size_t i) {
  SCOPED_TRACE("clip " + std::to_string(i));
  ASSERT_TRUE(got.rows.contains(i));
  const std::vector<float>& g = got.rows.at(i);
  const std::vector<float>& w = cpu.rows.at(i);
  Matrix gm(1, g.size()), wm(1, w.size());
  gm.data = g;
  wm.data = w;
  EXPECT_TRUE(test::rows_close("row", gm, wm, 0, 1));
}

// The factory make_gpu_batch_extractor takes is a plain function: the faults are a global here.
Faults g_faults;
std::unique_ptr<gpu::GpuApi> faulty_api() {
  return gpu::make_faulty_emulated_api(g_faults);
}

class FaultyBatches : public ::testing::Test {
 protected:
  void SetUp() override {
    g_faults = std::make_shared<gpu::EmulatedFaults>();
    clips_ = make_clips(12, options_.mfcc.sample_rate);
    cpu_ = extract(clips_, *make_batch_extractor(Device::cpu, options_));
  }
  void TearDown() override { g_faults.reset(); }
  Outcome extract_on_gpu() {
    const auto gpu = gpu::make_gpu_batch_extractor(options_, &faulty_api, 4);
    return extract(clips_, *gpu);
  }

  FeatureOptions options_ = load_feature_set("mfcc40_mean");
  std::vector<std::vector<float>> clips_;
  Outcome cpu_;
};

// Every clip alone fits, 4 together do not: each batch fails at submit and is retried clip by
// clip on buffers that grow again, so every clip gets the CPU's row.
TEST_F(FaultyBatches, BatchesThatRunOutOfMemoryAreRetriedClipByClip) {
  g_faults->max_alloc_bytes = one_clip_limit(options_.mfcc);
  const Outcome gpu = extract_on_gpu();
  EXPECT_EQ(g_faults->refused, 3);  // each batch of four, at its submit
  EXPECT_TRUE(gpu.failed.empty()) << gpu.failed.begin()->second;
  for (std::size_t i = 0; i < clips_.size(); ++i) expect_row_matches_cpu(gpu, cpu_, i);
}

// The third batch's first kernel fails asynchronously (the error surfaces when the batch is
// collected): its four clips fail with the device's message, the other batches are unaffected.
TEST_F(FaultyBatches, AnAsynchronousKernelFailureFailsOnlyItsBatch) {
  const Outcome clean = extract_on_gpu();
  ASSERT_EQ(clean.batches, 3u);
  ASSERT_TRUE(clean.failed.empty());
  const long long per_batch = g_faults->launches / 3;
  g_faults = std::make_shared<gpu::EmulatedFaults>();
  g_faults->fail_launch_number = 2 * per_batch + 1;
  const Outcome gpu = extract_on_gpu();
  ASSERT_EQ(gpu.failed.size(), 4u);
  for (std::size_t i = 8; i < 12; ++i) {
    ASSERT_TRUE(gpu.failed.contains(i)) << i;
    EXPECT_TRUE(contains(gpu.failed.at(i), "injected asynchronous error")) << gpu.failed.at(i);
  }
  for (std::size_t i = 0; i < 8; ++i) expect_row_matches_cpu(gpu, cpu_, i);
}

struct Problem {
  Matrix x = Matrix(120, 8);
  std::vector<int> y = std::vector<int>(120);
};

Problem small_problem() {
  Problem p;
  std::mt19937 rng(1);
  std::normal_distribution<float> noise;
  for (std::size_t r = 0; r < p.x.rows; ++r) {
    p.y[r] = static_cast<int>(r % 3);
    for (std::size_t c = 0; c < p.x.cols; ++c)
      p.x(r, c) = noise(rng) + static_cast<float>(p.y[r] == static_cast<int>(c % 3));
  }
  return p;
}

nn::MlpConfig small_shape() {
  nn::MlpConfig shape;
  shape.inputs = 8;
  shape.hidden = {16};
  shape.classes = 3;
  shape.dropout = 0.2;
  return shape;
}

nn::TrainConfig small_train() {
  nn::TrainConfig cfg;
  cfg.epochs = 2;
  cfg.batch_size = 32;
  cfg.seed = 4;
  return cfg;
}

// Training on a device that runs out of memory, then on one whose kernel fails: each throws an
// audify::Error naming the trainer and the device's fault; the same trainer then trains as a
// fault-free one does.
TEST(CudaEmulatedFaults, TrainerReportsDeviceFaultsAndStaysUsable) {
  const Problem p = small_problem();
  const Faults faults = std::make_shared<gpu::EmulatedFaults>();
  const auto trainer = gpu::make_gpu_trainer(gpu::make_faulty_emulated_api(faults));
  const auto expect_failure = [&](const std::string& fault) {
    nn::Mlp model(small_shape(), 4);
    try {
      trainer->fit(model, p.x, p.y, small_train(), {});
      ADD_FAILURE() << "training must fail with " << fault;
    } catch (const Error& e) {
      EXPECT_TRUE(contains(e.what(), "gpu trainer: training 1 model(s)")) << e.what();
      EXPECT_TRUE(contains(e.what(), fault)) << e.what();
    }
  };
  faults->max_alloc_bytes = 1024;
  expect_failure("out of memory");
  faults->max_alloc_bytes = SIZE_MAX;
  faults->fail_launch_number = faults->launches + 5;
  expect_failure("injected asynchronous error");

  nn::Mlp after(small_shape(), 4), clean(small_shape(), 4);
  const nn::TrainHistory a = trainer->fit(after, p.x, p.y, small_train(), {});
  const nn::TrainHistory b =
      gpu::make_gpu_trainer(gpu::make_emulated_api())->fit(clean, p.x, p.y, small_train(), {});
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (std::size_t e = 0; e < a.epochs.size(); ++e) EXPECT_EQ(a.epochs[e].loss, b.epochs[e].loss);
  for (int l = 0; l < after.num_layers(); ++l) EXPECT_EQ(after.wt(l), clean.wt(l)) << l;
}

// The emulation records and replays graphs as the device does, and refuses a capture that would
// record cuBLAS's first call; a capture aborted half way leaves the API usable.
TEST(CudaEmulatedGraphs, FirstCublasCallInsideACaptureIsRefused) {
  auto api = gpu::make_emulated_api();
  const float a[] = {2}, b[] = {3};
  float c[] = {0};
  ASSERT_TRUE(api->begin_capture());
  EXPECT_THROW(api->gemm(gpu::Op::none, gpu::Op::none, 1, 1, 1, 1.0f, a, 1, b, 1, 0.0f, c, 1),
               Error);
  api->abort_capture();
  api->gemm(gpu::Op::none, gpu::Op::none, 1, 1, 1, 1.0f, a, 1, b, 1, 0.0f, c, 1);
  EXPECT_EQ(c[0], 6.0f);
  c[0] = 0;
  ASSERT_TRUE(api->begin_capture());
  api->gemm(gpu::Op::none, gpu::Op::none, 1, 1, 1, 1.0f, a, 1, b, 1, 0.0f, c, 1);
  void* graph = api->end_capture();
  EXPECT_EQ(c[0], 0.0f);  // recorded, not run
  api->replay(graph);
  EXPECT_EQ(c[0], 6.0f);
  api->destroy_graph(graph);
}

// The step captured once and replayed (what the device runs) trains exactly as the step issued
// call by call: the warm-up before the capture changes nothing.
TEST(CudaEmulatedGraphs, CapturedStepsTrainLikeDirectOnes) {
  const Problem p = small_problem();
  nn::Mlp direct(small_shape(), 4), graphed(small_shape(), 4);
  auto api = gpu::make_emulated_api();
  std::vector<gpu::FitJob> a{{&direct, &p.x, p.y, small_train(), {}}};
  std::vector<gpu::FitJob> b{{&graphed, &p.x, p.y, small_train(), {}}};
  const auto ha = gpu::fit_many(*api, a, false);
  const auto hb = gpu::fit_many(*gpu::make_emulated_api(), b, true);
  for (std::size_t e = 0; e < ha[0].epochs.size(); ++e)
    EXPECT_EQ(ha[0].epochs[e].loss, hb[0].epochs[e].loss);
  for (int l = 0; l < direct.num_layers(); ++l) EXPECT_EQ(direct.wt(l), graphed.wt(l)) << l;
}

}  // namespace
}  // namespace audify
