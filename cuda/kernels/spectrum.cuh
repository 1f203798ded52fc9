// Kernels: |X|^power from cuFFT's R2C output, then the sparse Slaney mel filterbank, one thread per
// output element. CPU twins: cpu_mfcc::power_spectrum and MelFilterbank::apply, whose summation
// order the mel kernel keeps so both backends round alike.
#pragma once

#include "features/mfcc_math.h"
#include "kernels/launch_entry.cuh"

namespace audify::gpu {

struct PowerKernel {
  const float* spectrum;  // (frames, n_bins, 2) re/im, cuFFT's R2C layout
  float* power;           // (frames, n_bins) out
  long long n;            // frames * n_bins
  float exponent;         // 2 = power spectrogram, 1 = magnitude

  struct Shared {};
  static constexpr int kPhases = 1;

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long e = global_x(g);
    if (e >= n) return;
    power[e] = mfcc_math::spectral_power(spectrum[2 * e], spectrum[2 * e + 1], exponent);
  }
};
AUDIFY_KERNEL(PowerKernel);

struct MelKernel {
  const float* power;    // (frames, n_bins)
  const int* first_bin;  // (n_mels) first FFT bin of band m
  const int* offset;     // (n_mels + 1) band m's weights are weights[offset[m], offset[m+1])
  const float* weights;  // (nonzeros) all bands back to back
  float* mel;            // (frames, n_mels) out
  long long n;           // frames * n_mels
  int n_bins;
  int n_mels;

  struct Shared {};
  static constexpr int kPhases = 1;

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long e = global_x(g);
    if (e >= n) return;
    const long long f = e / n_mels;
    const int m = static_cast<int>(e % n_mels);
    const float* w = weights + offset[m];
    const float* p = power + f * n_bins + first_bin[m];
    const int count = offset[m + 1] - offset[m];
    float sum[4] = {0.0f, 0.0f, 0.0f, 0.0f};  // MelFilterbank::apply's four partial sums
    int i = 0;
    for (; i + 4 <= count; i += 4)
      for (int j = 0; j < 4; ++j) sum[j] += w[i + j] * p[i + j];
    for (; i < count; ++i) sum[0] += w[i] * p[i];
    mel[e] = (sum[0] + sum[1]) + (sum[2] + sum[3]);
  }
};
AUDIFY_KERNEL(MelKernel);

}  // namespace audify::gpu
