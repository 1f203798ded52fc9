// Every parameter of the MFCC pipeline in one documented struct, defaults as librosa 0.10's
// `librosa.feature.mfcc(y, sr=22050, n_mfcc=40)`. Kaldi-style: derived values are const methods.
#pragma once

namespace audify {

// Bounds cpu_mfcc::validate enforces beyond positivity. An FFT of 65536 points spans 3 s at
// 22050 Hz, longer than any frame a clip classifier uses; beyond it the frame buffers of a GPU
// batch (frames x n_fft floats) outgrow device memory long before the features mean anything.
inline constexpr int kMaxFftSize = 1 << 16;
// |X| of a full-scale frame is at most n_fft / 2 (the Hann window's sum): (2^15)^8 = 2^120 at the
// largest n_fft stays below float32's 2^128, a power much above 8 overflows the spectrogram to inf.
inline constexpr double kMaxPower = 8.0;

enum class PadMode { constant, reflect };  // librosa >= 0.10 pads with zeros; older with reflect

struct MfccOptions {
  int sample_rate = 22050;  // Hz, of the samples given to the extractor
  int n_fft = 2048;         // FFT size, samples (93 ms at 22050 Hz)
  int hop_length = 512;     // samples between frame starts
  int win_length = 2048;    // periodic Hann window length, samples (<= n_fft, centred in the frame)
  bool center = true;       // pad n_fft/2 on both sides so frame t is centred at t*hop
  PadMode pad_mode = PadMode::constant;
  double power = 2.0;    // |X|^power; 2 = power spectrogram
  int n_mels = 128;      // Slaney-scale mel bands with Slaney (area) normalisation
  double fmin = 0.0;     // Hz
  double fmax = -1.0;    // Hz; <= 0 means sample_rate / 2
  double ref = 1.0;      // power_to_db reference
  double amin = 1e-10;   // power_to_db floor before the log
  double top_db = 80.0;  // clamp to max - top_db over the whole clip; 0 disables
  int n_mfcc = 40;       // DCT-II (orthonormal) coefficients kept

  int n_bins() const { return n_fft / 2 + 1; }
  double fmax_hz() const { return fmax > 0 ? fmax : sample_rate / 2.0; }
  // Frames librosa produces for n samples.
  long long n_frames(long long n_samples) const {
    return center ? 1 + n_samples / hop_length
                  : (n_samples >= n_fft ? 1 + (n_samples - n_fft) / hop_length : 0);
  }
};

}  // namespace audify
