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
#include "features/extractor.h"
#include "features/mfcc_options.h"
#include "gpu_api.h"

namespace audify::gpu {

using Clips = std::span<const std::span<const float>>;

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

  // Every stage's output over all frames of the batch, for conformance tests.
  struct Trace {
    std::vector<int> first_frame;  // (clips + 1) rows of clip c are [first_frame[c], [c + 1])
    Matrix frames;                 // (frames, n_fft) windowed
    Matrix power;                  // (frames, n_bins)
    Matrix mel;                    // (frames, n_mels) mel power
    Matrix log_mel;                // (frames, n_mels) dB, clamped per clip
    Matrix mfcc;                   // (frames, n_mfcc)
    Matrix mean;                   // (clips, n_mfcc)
  };
  Trace trace_batch(Clips clips);

 private:
  struct Buffers;
  enum class Stop { log_mel, mfcc, mean };
  void run(Clips clips, Stop stop);  // leaves the results in device buffers
  std::vector<Matrix> split_rows(const float* device, int cols);
  Matrix download(const float* device, std::size_t rows, std::size_t cols);

  MfccOptions options_;
  GpuApi* api_;
  std::unique_ptr<Buffers> buf_;
  std::vector<int> first_frame_;  // (clips + 1) of the last batch
};

// A FeatureExtractor running on `api` one clip per call; `api` must outlive it.
std::unique_ptr<FeatureExtractor> make_gpu_extractor(const MfccOptions& options, GpuApi& api);
// The same, owning its api (one per extractor, so each thread gets its own stream and plans).
std::unique_ptr<FeatureExtractor> make_gpu_extractor(const MfccOptions& options,
                                                     std::unique_ptr<GpuApi> api);

}  // namespace audify::gpu
