// The orthonormal DCT-II basis: scipy.fft.dct(x, type=2, norm='ortho') along the mel axis, as used
// by librosa.feature.mfcc, kept as a small dense matrix so the transform is one GEMM per clip.
#pragma once

#include "core/matrix.h"

namespace audify {

// (n_mfcc, n_mels), row k is the k-th basis vector; mfcc = log_mel (frames, n_mels) * D^T.
// Throws audify::Error unless 0 < n_mfcc <= n_mels.
Matrix make_dct_ortho(int n_mfcc, int n_mels);

}  // namespace audify
