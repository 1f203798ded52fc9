// What one training step asks of each of the K models trained side by side: its batch size (0 =
// the model sits this step out, its epoch being shorter), the counter of its dropout stream, and
// its Adam scalars for this step. The host fills one per model in page-locked memory and copies the
// array to the device at the start of the step, so a captured graph replays with new values.
#pragma once

#include <cstdint>

#include "nn/adam.h"

namespace audify::gpu {

struct ModelStep {
  uint64_t seed = 0;            // the model's TrainConfig::seed (dropout masks)
  uint64_t drop_threshold = 0;  // nn::dropout_threshold(rate); 0 = dropout off
  float drop_scale = 1.0f;      // 1 / (1 - rate)
  int rows = 0;                 // rows of this step's batch; 0 = idle
  uint32_t step = 0;            // optimizer steps taken before this one (the dropout counter)
  nn::AdamStep adam{};          // nn::adam_step(hyper, step + 1)
};

}  // namespace audify::gpu
