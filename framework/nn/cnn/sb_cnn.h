// Salamon & Bello 2017's "SB-CNN" (IEEE SPL 24(3)), the reference CNN of `model=sb_cnn`: on a
// 1 x 128 mel bands x 128 frames log-mel window, conv 5x5 24 -> max-pool (4,2) -> ReLU, conv 5x5
// 48 -> max-pool (4,2) -> ReLU, conv 5x5 48 -> ReLU, flatten (48 x 2 x 25 = 2400), dropout 0.5,
// dense 64 ReLU (L2 1e-3), dropout 0.5, dense to the classes (softmax in the loss). Valid
// convolutions, Keras's default initialisers.
#pragma once

#include <cstdint>

#include "nn/cnn/sequential.h"

namespace audify::nn::cnn {

struct SbCnnConfig {
  int mel_bands = 128;  // image height
  int frames = 128;     // image width: the training window
  int classes = 10;
  double dropout = 0.5;
  double l2 = 1e-3;  // on the 64-unit dense layer
};

// Throws audify::Error when the window is too small for the three convolutions and two pools.
Sequential make_sb_cnn(const SbCnnConfig& config, uint64_t seed);

}  // namespace audify::nn::cnn
