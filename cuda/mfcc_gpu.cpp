// The GPU MFCC orchestration (see mfcc_gpu.h): host-side batch layout, then frame+window -> R2C
// FFT -> power -> sparse mel -> dB + per-clip max -> top_db clamp -> DCT GEMM -> mean, each over
// every frame of the batch at once. Plain C++ against GpuApi: no CUDA header.
#include "mfcc_gpu.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "core/error.h"
#include "features/dct.h"
#include "features/mel_filterbank.h"
#include "features/mfcc_cpu.h"
#include "features/mfcc_math.h"

namespace audify::gpu {
namespace {

// cuFFT runs over chunks of this many frames with one cached plan per n_fft, so neither the plan
// cache nor cuFFT's workspace grows with the variety of batch sizes.
constexpr int kFftChunk = 256;

// Page-locked host memory for the copies, grown on demand.
class HostStaging {
 public:
  explicit HostStaging(GpuApi& api) : api_(&api) {}
  ~HostStaging() { api_->free_host(ptr_); }
  HostStaging(const HostStaging&) = delete;
  HostStaging& operator=(const HostStaging&) = delete;
  float* floats(std::size_t count) {
    if (count > size_) {
      api_->free_host(std::exchange(ptr_, nullptr));
      ptr_ = static_cast<float*>(api_->alloc_host(std::max<std::size_t>(count, 1) * sizeof(float)));
      size_ = count;
    }
    return ptr_;
  }

 private:
  GpuApi* api_;
  float* ptr_ = nullptr;
  std::size_t size_ = 0;
};

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
        staging(a) {}
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
  HostStaging staging;
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

  float* staged = b.staging.floats(static_cast<std::size_t>(samples));
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
  api_->launch(PowerKernel{b.spectrum.get(), b.power.get(), n_power, static_cast<float>(o.power)},
               launch_1d(n_power));
  const long long n_mel = static_cast<long long>(n_frames) * o.n_mels;
  b.mel.grow(static_cast<std::size_t>(n_mel));
  api_->launch(MelKernel{b.power.get(), b.first_bin.get(), b.band_offset.get(), b.weights.get(),
                         b.mel.get(), n_mel, n_bins, o.n_mels},
               launch_1d(n_mel));

  // power_to_db, then the clamp against each clip's maximum (a second launch: a grid-wide barrier).
  const long long clip_elements = static_cast<long long>(max_frames) * o.n_mels;
  const int blocks_per_clip =
      static_cast<int>(std::clamp<long long>(clip_elements / (8 * kThreadsPerBlock), 1, 64));
  b.log_mel.grow(static_cast<std::size_t>(n_mel));
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
  api_->gemm(Op::transpose, Op::none, o.n_mfcc, n_frames, o.n_mels, 1.0f, b.dct.get(), o.n_mels,
             b.log_mel.get(), o.n_mels, 0.0f, b.mfcc.get(), o.n_mfcc);
  if (stop == Stop::mfcc) return;

  b.mean.grow(static_cast<std::size_t>(n_clips) * o.n_mfcc);
  api_->launch(ClipMeanKernel{b.mfcc.get(), b.first_frame.get(), b.mean.get(), o.n_mfcc},
               ClipMeanKernel::shape(n_clips));
}

Matrix MfccGpu::download(const float* device, std::size_t rows, std::size_t cols) {
  Matrix out(rows, cols);
  if (out.data.empty()) return out;
  float* staged = buf_->staging.floats(out.data.size());
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
  run(clips, Stop::mean);
  return download(buf_->mean.get(), clips.size(), static_cast<std::size_t>(options_.n_mfcc));
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
  return t;
}

}  // namespace audify::gpu
