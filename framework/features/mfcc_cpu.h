// The named steps of the CPU MFCC pipeline (Kaldi style), exposed so tests and the CUDA backend's
// host emulation can check each stage on its own. make_cpu_extractor (features/extractor.h) chains
// them: pad -> frame + window -> real FFT -> power -> mel -> power_to_db -> DCT.
#pragma once

#include <span>
#include <vector>

#include "core/matrix.h"
#include "core/real_fft.h"
#include "features/mfcc_options.h"

namespace audify::cpu_mfcc {

// Throws audify::Error naming the first invalid option.
void validate(const MfccOptions& options);

// get_window('hann', win_length, fftbins=True) centred in n_fft zeros (librosa.util.pad_center).
std::vector<float> padded_hann_window(int win_length, int n_fft);

// np.pad(y, pad, mode='constant' | 'reflect'). [out] out: (y.size() + 2 pad). Reflect needs
// samples.
void pad_signal(std::span<const float> y, int pad, PadMode mode, std::vector<float>& out);

// frame[i] = signal[start + i] * window[i] for i < window.size().
void window_frame(const float* signal, long long start, std::span<const float> window,
                  float* frame);

// [in] spectrum: (n_bins, 2) re/im; [out] out: (n_bins) = |X|^power.
void power_spectrum(const float* spectrum, int n_bins, float power, float* out);

// In place: power_to_db with ref/amin, then the top_db clamp against the whole matrix's maximum.
void power_to_db_clip(Matrix& mel, const MfccOptions& options);

// (frames, n_mfcc) = log_mel (frames, n_mels) * dct^T, dct: (n_mfcc, n_mels).
Matrix apply_dct(const Matrix& log_mel, const Matrix& dct);

}  // namespace audify::cpu_mfcc
