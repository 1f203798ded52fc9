// librosa.filters.mel (0.10.2, htk=False, norm='slaney') as a sparse filterbank: each band touches
// a contiguous run of FFT bins, so it is stored as (first bin, weights) and applied in O(nonzeros).
#pragma once

#include <vector>

#include "core/matrix.h"

namespace audify {

// librosa.fft_frequencies(sr, n_fft): centre frequency of each rfft bin, Hz (n_fft/2 + 1 values).
std::vector<double> fft_frequencies(int sample_rate, int n_fft);
// librosa.mel_frequencies(n, fmin, fmax, htk=False): n Slaney-mel-spaced frequencies, Hz.
std::vector<double> mel_frequencies(int n, double fmin, double fmax);

struct MelFilterbank {
  int n_mels = 0;
  int n_bins = 0;
  std::vector<int> first_bin;  // (n_mels) first FFT bin of band m
  std::vector<int> offset;     // (n_mels + 1) band m's weights are weights[offset[m], offset[m+1])
  std::vector<float> weights;  // float32 weights of all bands, back to back

  // mel[m] = sum_b weights(m, b) * power[b]. power: (n_bins), mel: (n_mels).
  void apply(const float* power, float* mel) const;
  // The dense (n_mels, n_bins) matrix librosa returns.
  Matrix dense() const;
};

// Throws audify::Error on invalid arguments (naming them), and when a band holds no FFT bin.
MelFilterbank make_mel_filterbank(int sample_rate, int n_fft, int n_mels, double fmin, double fmax);

}  // namespace audify
