// The GPU MFCC orchestration (see mfcc_gpu.h): host-side batch layout, then frame+window -> R2C
// FFT -> power -> sparse mel -> dB + per-clip max -> top_db clamp -> DCT GEMM -> mean, each over
// every frame of the batch at once; with statistics, delta -> per-clip reductions instead of the
// mean. Plain C++ against GpuApi: no CUDA header.
#include "mfcc_gpu.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>

#include "core/error.h"
#include "features/dct.h"
#include "features/mel_filterbank.h"
#include "features/mfcc_cpu.h"
#include "features/mfcc_math.h"
#include "kernels/clip_mean.cuh"
#include "kernels/clip_stats.cuh"
#include "kernels/frame_window.cuh"
#include "kernels/power_to_db.cuh"
#include "kernels/spectrum.cuh"

namespace audify::gpu {
namespace {

// cuFFT runs over chunks of this many frames with one cached plan per n_fft, so neither the plan
// cache nor cuFFT's workspace grows with the variety of batch sizes.
constexpr int kFftChunk = 256;

// The kernels' StatCode mirrors features/summary_stats.h's Stat (which nvcc cannot include).
static_assert(static_cast<int>(StatCode::min) == static_cast<int>(Stat::min));
static_assert(static_cast<int>(StatCode::median) == static_cast<int>(Stat::median));
static_assert(static_cast<int>(StatCode::kurtosis) == static_cast<int>(Stat::kurtosis));
static_assert(static_cast<int>(StatCode::d2_var) == static_cast<int>(Stat::d2_var));
static_assert(kMaxStats == 11);

bool is_d1(Stat s) {
  return s == Stat::d1_mean || s == Stat::d1_var;
}
bool is_d2(Stat s) {
  return s == Stat::d2_mean || s == Stat::d2_var;
}

// Every Savitzky-Golay tap delta() can use, at delta_tap_index (zeros where a width is unusable).
std::vector<double> delta_taps() {
  std::vector<double> taps(kDeltaTaps, 0.0);
  for (int order = 1; order <= 2; ++order)
    for (int w = order + 1; w <= kDeltaWidth; ++w) {
      if (w % 2 == 0) continue;
      for (int p = 0; p < w; ++p) {
        const std::vector<double> wp = savgol_weights(w, order, order, p);
        std::copy(wp.begin(), wp.end(), taps.begin() + delta_tap_index(order, w, p, 0));
      }
    }
  return taps;
}

}  // namespace

struct MfccGpu::Buffers {
  explicit Buffers(GpuApi& a)
      : window(a),
        first_bin(a),
        band_offset(a),
        weights(a),
        dct(a),
        signal(a),
        clip_start(a),
        clip_length(a),
        frame_clip(a),
        first_frame(a),
        frames(a),
        spectrum(a),
        power(a),
        mel(a),
        log_mel(a),
        block_max(a),
        mfcc(a),
        mean(a),
        taps(a),
        d1(a),
        d2(a),
        scratch(a),
        stats(a),
        staging(a),
        out_staging(a) {}
  // Tables, uploaded once.
  DeviceArray<float> window;     // (n_fft)
  DeviceArray<int> first_bin;    // (n_mels)
  DeviceArray<int> band_offset;  // (n_mels + 1)
  DeviceArray<float> weights;    // (filterbank nonzeros)
  DeviceArray<float> dct;        // (n_mfcc, n_mels) row-major, i.e. (n_mels, n_mfcc) col-major
  // The batch.
  DeviceArray<float> signal;           // (samples) clips back to back
  DeviceArray<long long> clip_start;   // (clips)
  DeviceArray<long long> clip_length;  // (clips)
  DeviceArray<int> frame_clip;         // (frames)
  DeviceArray<int> first_frame;        // (clips + 1)
  DeviceArray<float> frames;           // (frames rounded up to kFftChunk, n_fft)
  DeviceArray<float> spectrum;         // (frames rounded up to kFftChunk, n_bins, 2)
  DeviceArray<float> power;            // (frames, n_bins)
  DeviceArray<float> mel;              // (frames, n_mels)
  DeviceArray<float> log_mel;          // (frames, n_mels)
  DeviceArray<float> block_max;        // (clips, blocks per clip)
  DeviceArray<float> mfcc;             // (frames, n_mfcc)
  DeviceArray<float> mean;             // (clips, n_mfcc)
  DeviceArray<double> taps;            // (kDeltaTaps) delta's filters, uploaded on first use
  DeviceArray<float> d1, d2;           // (frames, n_mfcc)
  DeviceArray<float> scratch;          // (frames, n_mfcc) column copies for the median
  DeviceArray<float> stats;            // (clips, stats * n_mfcc)
  PinnedArray<float> staging;          // the batch's samples on their way in
  PinnedArray<float> out_staging;      // summaries on their way out (enqueue_summary)
};

MfccGpu::MfccGpu(const MfccOptions& options, GpuApi& api)
    : options_(options), api_(&api), buf_(std::make_unique<Buffers>(api)) {
  cpu_mfcc::validate(options_);
  const std::vector<float> window =
      cpu_mfcc::padded_hann_window(options_.win_length, options_.n_fft);
  const MelFilterbank bank = make_mel_filterbank(
      options_.sample_rate, options_.n_fft, options_.n_mels, options_.fmin, options_.fmax_hz());
  const Matrix dct = make_dct_ortho(options_.n_mfcc, options_.n_mels);
  buf_->window.upload(window.data(), window.size());
  buf_->first_bin.upload(bank.first_bin.data(), bank.first_bin.size());
  buf_->band_offset.upload(bank.offset.data(), bank.offset.size());
  buf_->weights.upload(bank.weights.data(), bank.weights.size());
  buf_->dct.upload(dct.data.data(), dct.data.size());
  api_->synchronize();  // the host tables above die here
}

MfccGpu::~MfccGpu() = default;

void MfccGpu::run(Clips clips, Stop stop) {
  const MfccOptions& o = options_;
  Buffers& b = *buf_;
  // A clip per grid.y in the power_to_db kernels, whose limit is CUDA's 65535.
  if (clips.size() > 65535)
    fail("features: a GPU batch holds at most 65535 clips, got {}", clips.size());
  const int n_clips = static_cast<int>(clips.size());
  const int n_bins = o.n_bins();

  // Host: where each clip's samples and frames go.
  std::vector<long long> start(clips.size()), length(clips.size());
  first_frame_.assign(clips.size() + 1, 0);
  long long samples = 0;
  int max_frames = 0;
  for (int c = 0; c < n_clips; ++c) {
    const long long n = static_cast<long long>(clips[c].size());
    if (!o.center && n < o.n_fft)
      fail("features: {} samples is shorter than n_fft={} (center=false)", n, o.n_fft);
    if (o.center && o.pad_mode == PadMode::reflect && n == 0)
      fail("features.pad_mode: 'reflect' padding needs at least one sample, got none");
    start[c] = samples;
    length[c] = n;
    samples += n;
    const int frames = static_cast<int>(o.n_frames(n));
    first_frame_[c + 1] = first_frame_[c] + frames;
    max_frames = std::max(max_frames, frames);
  }
  const int n_frames = first_frame_.back();
  std::vector<int> frame_clip(static_cast<std::size_t>(n_frames));
  for (int c = 0; c < n_clips; ++c)
    std::fill(frame_clip.begin() + first_frame_[c], frame_clip.begin() + first_frame_[c + 1], c);

  float* staged = b.staging.grow(static_cast<std::size_t>(samples));
  for (int c = 0; c < n_clips; ++c) std::copy(clips[c].begin(), clips[c].end(), staged + start[c]);
  b.signal.upload(staged, static_cast<std::size_t>(samples));
  b.clip_start.upload(start.data(), start.size());
  b.clip_length.upload(length.data(), length.size());
  b.frame_clip.upload(frame_clip.data(), frame_clip.size());
  b.first_frame.upload(first_frame_.data(), first_frame_.size());
  if (n_frames == 0) return;

  // Frames, FFT, power, mel.
  const std::size_t rows =
      (static_cast<std::size_t>(n_frames) + kFftChunk - 1) / kFftChunk * kFftChunk;
  b.frames.grow(rows * static_cast<std::size_t>(o.n_fft));
  b.spectrum.grow(rows * static_cast<std::size_t>(n_bins) * 2);
  poison(b.frames, static_cast<std::size_t>(n_frames) * o.n_fft);
  api_->launch(
      FrameWindowKernel{b.signal.get(), b.clip_start.get(), b.clip_length.get(), b.frame_clip.get(),
                        b.first_frame.get(), b.window.get(), b.frames.get(), o.n_fft, o.hop_length,
                        o.center ? o.n_fft / 2 : 0, o.pad_mode == PadMode::reflect},
      FrameWindowKernel::shape(n_frames, o.n_fft));
  const FftPlan plan = api_->fft_plan_r2c(o.n_fft, kFftChunk);
  for (std::size_t r = 0; r < static_cast<std::size_t>(n_frames); r += kFftChunk)
    api_->fft_r2c_batched(plan, b.frames.get() + r * o.n_fft, b.spectrum.get() + r * n_bins * 2);
  const long long n_power = static_cast<long long>(n_frames) * n_bins;
  b.power.grow(static_cast<std::size_t>(n_power));
  poison(b.power, static_cast<std::size_t>(n_power));
  api_->launch(PowerKernel{b.spectrum.get(), b.power.get(), n_power, static_cast<float>(o.power)},
               launch_1d(n_power));
  const long long n_mel = static_cast<long long>(n_frames) * o.n_mels;
  b.mel.grow(static_cast<std::size_t>(n_mel));
  poison(b.mel, static_cast<std::size_t>(n_mel));
  api_->launch(MelKernel{b.power.get(), b.first_bin.get(), b.band_offset.get(), b.weights.get(),
                         b.mel.get(), n_mel, n_bins, o.n_mels},
               launch_1d(n_mel));

  // power_to_db, then the clamp against each clip's maximum (a second launch: a grid-wide barrier).
  const long long clip_elements = static_cast<long long>(max_frames) * o.n_mels;
  const int blocks_per_clip =
      static_cast<int>(std::clamp<long long>(clip_elements / (8 * kThreadsPerBlock), 1, 64));
  b.log_mel.grow(static_cast<std::size_t>(n_mel));
  poison(b.log_mel, static_cast<std::size_t>(n_mel));
  b.block_max.grow(static_cast<std::size_t>(n_clips) * blocks_per_clip);
  const auto amin = static_cast<float>(o.amin);
  api_->launch(DbMaxKernel{b.mel.get(), b.first_frame.get(), b.log_mel.get(), b.block_max.get(),
                           o.n_mels, amin, mfcc_math::db_of_power(static_cast<float>(o.ref), amin)},
               per_clip_shape(blocks_per_clip, n_clips));
  if (o.top_db > 0)
    api_->launch(TopDbClampKernel{b.first_frame.get(), b.block_max.get(), b.log_mel.get(), o.n_mels,
                                  static_cast<float>(o.top_db)},
                 per_clip_shape(blocks_per_clip, n_clips));
  if (stop == Stop::log_mel) return;

  // mfcc (frames, n_mfcc) = log_mel (frames, n_mels) * dct^T; in cuBLAS's column-major terms
  // mfcc^T (n_mfcc, frames) = dct (n_mfcc, n_mels) * log_mel^T (n_mels, frames).
  b.mfcc.grow(static_cast<std::size_t>(n_frames) * o.n_mfcc);
  poison(b.mfcc, static_cast<std::size_t>(n_frames) * o.n_mfcc);
  api_->gemm(Op::transpose, Op::none, o.n_mfcc, n_frames, o.n_mels, 1.0f, b.dct.get(), o.n_mels,
             b.log_mel.get(), o.n_mels, 0.0f, b.mfcc.get(), o.n_mfcc);
  if (stop == Stop::mfcc) return;

  b.mean.grow(static_cast<std::size_t>(n_clips) * o.n_mfcc);
  poison(b.mean, static_cast<std::size_t>(n_clips) * o.n_mfcc);
  api_->launch(ClipMeanKernel{b.mfcc.get(), b.first_frame.get(), b.mean.get(), o.n_mfcc},
               ClipMeanKernel::shape(n_clips));
}

template <typename T>
void MfccGpu::poison(DeviceArray<T>& array, std::size_t count) {
  if (!poison_ || count == 0) return;
  const std::vector<T> nan(count, std::numeric_limits<T>::quiet_NaN());
  api_->memcpy_h2d(array.get(), nan.data(), count * sizeof(T));
  api_->synchronize();  // `nan` dies here
}

// Delta (when a d1_* / d2_* statistic asks for it), then one reduction launch over the clips of the
// batch run() left in the device buffers.
void MfccGpu::run_stats(std::span<const Stat> stats, int n_clips) {
  const MfccOptions& o = options_;
  Buffers& b = *buf_;
  if (stats.empty() || stats.size() > static_cast<std::size_t>(kMaxStats))
    fail("features.stats: {} statistics given, the GPU backend takes 1 to {}", stats.size(),
         kMaxStats);
  const auto values = static_cast<std::size_t>(first_frame_.back()) * o.n_mfcc;
  const bool d1 = std::ranges::any_of(stats, is_d1), d2 = std::ranges::any_of(stats, is_d2);
  if (b.taps.size() == 0) {
    const std::vector<double> taps = delta_taps();
    b.taps.upload(taps.data(), taps.size());
    api_->synchronize();  // `taps` dies here
  }
  b.d1.grow(values);
  b.d2.grow(values);
  b.scratch.grow(values);
  poison(b.d1, values);
  poison(b.d2, values);
  if (values > 0 && (d1 || d2))
    api_->launch(DeltaKernel{b.mfcc.get(), b.frame_clip.get(), b.first_frame.get(), b.taps.get(),
                             d1 ? b.d1.get() : nullptr, d2 ? b.d2.get() : nullptr,
                             static_cast<long long>(values), o.n_mfcc},
                 launch_1d(static_cast<long long>(values)));
  const std::size_t out = static_cast<std::size_t>(n_clips) * o.n_mfcc * stats.size();
  b.stats.grow(out);
  poison(b.stats, out);
  if (n_clips == 0) return;
  ClipStatsKernel k{b.mfcc.get(),
                    d1 ? b.d1.get() : nullptr,
                    d2 ? b.d2.get() : nullptr,
                    b.first_frame.get(),
                    b.scratch.get(),
                    b.stats.get(),
                    o.n_mfcc,
                    static_cast<int>(stats.size()),
                    {}};
  for (std::size_t s = 0; s < stats.size(); ++s) k.stats[s] = static_cast<StatCode>(stats[s]);
  api_->launch(k, ClipStatsKernel::shape(n_clips));
}

Matrix MfccGpu::download(const float* device, std::size_t rows, std::size_t cols) {
  Matrix out(rows, cols);
  if (out.data.empty()) return out;
  float* staged = buf_->staging.grow(out.data.size());
  api_->memcpy_d2h(staged, device, out.data.size() * sizeof(float));
  api_->synchronize();
  std::memcpy(out.data.data(), staged, out.data.size() * sizeof(float));
  return out;
}

std::vector<Matrix> MfccGpu::split_rows(const float* device, int cols) {
  const Matrix all = download(device, static_cast<std::size_t>(first_frame_.back()),
                              static_cast<std::size_t>(cols));
  std::vector<Matrix> out;
  for (std::size_t c = 0; c + 1 < first_frame_.size(); ++c) {
    Matrix m(static_cast<std::size_t>(first_frame_[c + 1] - first_frame_[c]), all.cols);
    std::copy_n(all.data.begin() + static_cast<std::ptrdiff_t>(first_frame_[c] * all.cols),
                m.data.size(), m.data.begin());
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<Matrix> MfccGpu::log_mel_batch(Clips clips) {
  run(clips, Stop::log_mel);
  return split_rows(buf_->log_mel.get(), options_.n_mels);
}

std::vector<Matrix> MfccGpu::mfcc_batch(Clips clips) {
  run(clips, Stop::mfcc);
  return split_rows(buf_->mfcc.get(), options_.n_mfcc);
}

Matrix MfccGpu::mfcc_mean_batch(Clips clips) {
  return summary_batch(clips, ClipSummary{});
}

Matrix MfccGpu::stats_batch(Clips clips, std::span<const Stat> stats) {
  return summary_batch(clips, ClipSummary{{stats.begin(), stats.end()}});
}

Matrix MfccGpu::summary_batch(Clips clips, const ClipSummary& summary) {
  enqueue_summary(clips, summary);
  return wait_summary();
}

void MfccGpu::enqueue_summary(Clips clips, const ClipSummary& summary) {
  AUDIFY_ASSERT(!pending_);
  const bool stats = !summary.stats.empty();
  run(clips, stats ? Stop::mfcc : Stop::mean);
  if (stats) run_stats(summary.stats, static_cast<int>(clips.size()));
  pending_rows_ = clips.size();
  pending_cols_ = static_cast<std::size_t>(summary.columns(options_.n_mfcc));
  const std::size_t count = pending_rows_ * pending_cols_;
  // The copy out goes into page-locked memory of its own, so it runs asynchronously and the input
  // staging buffer is never reallocated under an in-flight upload.
  float* staged = buf_->out_staging.grow(count);
  if (count > 0)
    api_->memcpy_d2h(staged, stats ? buf_->stats.get() : buf_->mean.get(), count * sizeof(float));
  pending_ = true;
}

Matrix MfccGpu::wait_summary() {
  AUDIFY_ASSERT(pending_);
  pending_ = false;
  api_->synchronize();
  Matrix out(pending_rows_, pending_cols_);
  if (!out.data.empty())
    std::memcpy(out.data.data(), buf_->out_staging.get(), out.data.size() * sizeof(float));
  return out;
}

MfccGpu::Trace MfccGpu::trace_batch(Clips clips) {
  run(clips, Stop::mean);
  const auto frames = static_cast<std::size_t>(first_frame_.back());
  Trace t;
  t.first_frame = first_frame_;
  t.frames = download(buf_->frames.get(), frames, static_cast<std::size_t>(options_.n_fft));
  t.power = download(buf_->power.get(), frames, static_cast<std::size_t>(options_.n_bins()));
  t.mel = download(buf_->mel.get(), frames, static_cast<std::size_t>(options_.n_mels));
  t.log_mel = download(buf_->log_mel.get(), frames, static_cast<std::size_t>(options_.n_mels));
  t.mfcc = download(buf_->mfcc.get(), frames, static_cast<std::size_t>(options_.n_mfcc));
  t.mean = download(buf_->mean.get(), clips.size(), static_cast<std::size_t>(options_.n_mfcc));
  run_stats(all_stats(), static_cast<int>(clips.size()));
  t.d1 = download(buf_->d1.get(), frames, static_cast<std::size_t>(options_.n_mfcc));
  t.d2 = download(buf_->d2.get(), frames, static_cast<std::size_t>(options_.n_mfcc));
  t.stats = download(buf_->stats.get(), clips.size(),
                     all_stats().size() * static_cast<std::size_t>(options_.n_mfcc));
  return t;
}

}  // namespace audify::gpu
