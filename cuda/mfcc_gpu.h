// librosa.feature.mfcc on a GPU, many clips per call: the clips of a batch lie back to back in one
// device buffer (with per-clip offsets, none padded to the longest) and every stage is one launch
// or library call over all their frames. Written once against GpuApi, so the same orchestration
// runs on the device (gpu_api_cuda.cu) and in host emulation (gpu_api_emulated.cpp). Options and
// tables (window, mel filterbank, DCT) come from the CPU backend, Kaldi cudafeat style.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/matrix.h"
#include "features/backend.h"
#include "features/extractor.h"
#include "features/feature_options.h"
#include "features/mfcc_options.h"
#include "features/summary_stats.h"
#include "gpu_api.h"

namespace audify::gpu {

using Clips = std::span<const std::span<const float>>;

// How each clip's (frames, n_mfcc) MFCCs become one row: the mean over frames (no statistics), or
// the listed statistics (features/summary_stats.h), statistic-major like summary_stats().
struct ClipSummary {
  std::vector<Stat> stats;  // empty = mean
  int columns(int n_mfcc) const {
    return n_mfcc * (stats.empty() ? 1 : static_cast<int>(stats.size()));
  }
};

class MfccGpu {
 public:
  // Throws audify::Error for invalid options (as the CPU backend does). `api` must outlive this.
  MfccGpu(const MfccOptions& options, GpuApi& api);
  ~MfccGpu();
  MfccGpu(const MfccGpu&) = delete;
  MfccGpu& operator=(const MfccGpu&) = delete;

  const MfccOptions& options() const { return options_; }
  GpuApi& api() const { return *api_; }

  // One (frames, n_mels) power_to_db(melspectrogram) per clip, as FeatureExtractor::log_mel.
  std::vector<Matrix> log_mel_batch(Clips clips);
  // One (frames, n_mfcc) matrix per clip, as FeatureExtractor::mfcc.
  std::vector<Matrix> mfcc_batch(Clips clips);
  // (clips, n_mfcc): each clip's MFCCs averaged over its frames (the `mean` summary).
  Matrix mfcc_mean_batch(Clips clips);
  // (clips, stats * n_mfcc): summary_stats(mfcc(clip), stats) of every clip.
  Matrix stats_batch(Clips clips, std::span<const Stat> stats);
  // (clips, summary.columns(n_mfcc)), either of the two above.
  Matrix summary_batch(Clips clips, const ClipSummary& summary);

  // summary_batch in two halves, so the host can prepare the next batch while this one runs: the
  // clips are staged (and may be freed) when enqueue returns; wait_summary() blocks for the rows.
  // One batch at a time per MfccGpu; use two (each on its own GpuApi stream) to double-buffer.
  void enqueue_summary(Clips clips, const ClipSummary& summary);
  Matrix wait_summary();

  // Tests: fill every stage's output buffer with NaN before each run, so an element a kernel
  // forgets to write shows up as a NaN in the results.
  void poison_outputs_for_testing(bool on) { poison_ = on; }

  // Every stage's output over all frames of the batch, for conformance tests.
  struct Trace {
    std::vector<int> first_frame;  // (clips + 1) rows of clip c are [first_frame[c], [c + 1])
    Matrix frames;                 // (frames, n_fft) windowed
    Matrix power;                  // (frames, n_bins)
    Matrix mel;                    // (frames, n_mels) mel power
    Matrix log_mel;                // (frames, n_mels) dB, clamped per clip
    Matrix mfcc;                   // (frames, n_mfcc)
    Matrix mean;                   // (clips, n_mfcc)
    Matrix d1, d2;                 // (frames, n_mfcc) librosa delta, order 1 and 2
    Matrix stats;                  // (clips, 11 * n_mfcc) every statistic, all_stats() order
  };
  Trace trace_batch(Clips clips);

 private:
  struct Buffers;
  enum class Stop { log_mel, mfcc, mean, stats };
  void run(Clips clips, Stop stop);  // leaves the results in device buffers
  void run_stats(std::span<const Stat> stats, int n_clips);
  template <typename T>
  void poison(DeviceArray<T>& array, std::size_t count);
  std::vector<Matrix> split_rows(const float* device, int cols);
  Matrix download(const float* device, std::size_t rows, std::size_t cols);

  MfccOptions options_;
  GpuApi* api_;
  std::unique_ptr<Buffers> buf_;
  std::vector<int> first_frame_;  // (clips + 1) of the last batch
  bool poison_ = false;
  std::size_t pending_rows_ = 0, pending_cols_ = 0;  // of the enqueued summary
  bool pending_ = false;
};

// A FeatureExtractor running on `api` one clip per call; `api` must outlive it.
std::unique_ptr<FeatureExtractor> make_gpu_extractor(const MfccOptions& options, GpuApi& api);
// The same, owning its api (one per extractor, so each thread gets its own stream and plans).
std::unique_ptr<FeatureExtractor> make_gpu_extractor(const MfccOptions& options,
                                                     std::unique_ptr<GpuApi> api);

// A BatchExtractor (features/backend.h) with two MfccGpu, each on its own GpuApi (stream) from
// `make_api`, so one batch's copies overlap the other's kernels; `clips_per_batch` per submit().
using ApiFactory = std::unique_ptr<GpuApi> (*)();
std::unique_ptr<BatchExtractor> make_gpu_batch_extractor(const FeatureOptions& options,
                                                         ApiFactory make_api,
                                                         std::size_t clips_per_batch);
// features.summary as the GPU's ClipSummary.
ClipSummary clip_summary(const FeatureOptions& options);

}  // namespace audify::gpu
