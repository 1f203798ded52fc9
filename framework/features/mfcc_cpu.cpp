// The CPU reference FeatureExtractor: librosa.feature.melspectrogram -> power_to_db -> mfcc, frame
// by frame so the power spectrum of one frame is consumed by the sparse mel filterbank while in
// cache. The sparse filterbank beats a dense (frames x bins) * (bins x mels) sgemm ~20x: each of
// the 128 bands touches only a few bins (about 2 * n_bins nonzeros in all).
#include <memory>

#include "core/error.h"
#include "features/dct.h"
#include "features/extractor.h"
#include "features/mel_filterbank.h"
#include "features/mfcc_cpu.h"

namespace audify {
namespace {

class CpuExtractor final : public FeatureExtractor {
 public:
  explicit CpuExtractor(const MfccOptions& options)
      : options_(options),
        window_(cpu_mfcc::padded_hann_window(options.win_length, options.n_fft)),
        bank_(make_mel_filterbank(options.sample_rate, options.n_fft, options.n_mels, options.fmin,
                                  options.fmax_hz())),
        dct_(make_dct_ortho(options.n_mfcc, options.n_mels)),
        fft_(options.n_fft),
        frame_(fft_buffer(static_cast<std::size_t>(options.n_fft))),
        spectrum_(fft_buffer(2 * static_cast<std::size_t>(fft_.n_bins()))),
        power_(static_cast<std::size_t>(fft_.n_bins())) {}

  std::string_view backend() const override { return "cpu"; }
  const MfccOptions& options() const override { return options_; }

  Matrix log_mel(std::span<const float> y) override {
    Matrix mel = mel_power(y);
    cpu_mfcc::power_to_db_clip(mel, options_);
    return mel;
  }

  Matrix mfcc(std::span<const float> y) override { return cpu_mfcc::apply_dct(log_mel(y), dct_); }

 private:
  // librosa.feature.melspectrogram(y): (frames, n_mels) of mel-weighted power.
  Matrix mel_power(std::span<const float> y) {
    const float* signal = y.data();
    long long length = static_cast<long long>(y.size());
    if (options_.center) {
      cpu_mfcc::pad_signal(y, options_.n_fft / 2, options_.pad_mode, padded_);
      signal = padded_.data();
      length = static_cast<long long>(padded_.size());
    }
    if (length < options_.n_fft)
      fail("features: {} samples is shorter than n_fft={} (center=false)", y.size(),
           options_.n_fft);
    const long long frames = 1 + (length - options_.n_fft) / options_.hop_length;
    Matrix mel(static_cast<std::size_t>(frames), static_cast<std::size_t>(options_.n_mels));
    const auto power = static_cast<float>(options_.power);
    for (long long t = 0; t < frames; ++t) {
      cpu_mfcc::window_frame(signal, t * options_.hop_length, window_, frame_.get());
      fft_.forward(frame_.get(), spectrum_.get());
      cpu_mfcc::power_spectrum(spectrum_.get(), fft_.n_bins(), power, power_.data());
      bank_.apply(power_.data(), mel.row(static_cast<std::size_t>(t)).data());
    }
    return mel;
  }

  MfccOptions options_;
  std::vector<float> window_;  // (n_fft)
  MelFilterbank bank_;
  Matrix dct_;  // (n_mfcc, n_mels)
  RealFft fft_;
  FftBuffer frame_;            // (n_fft) windowed frame
  FftBuffer spectrum_;         // (n_bins, 2)
  std::vector<float> power_;   // (n_bins)
  std::vector<float> padded_;  // centred signal, reused between clips
};

const MfccOptions& validated(const MfccOptions& options) {
  cpu_mfcc::validate(options);
  return options;
}

}  // namespace

std::unique_ptr<FeatureExtractor> make_cpu_extractor(const MfccOptions& options) {
  return std::make_unique<CpuExtractor>(validated(options));
}

}  // namespace audify
