// The CNN families of the runner: `model=sb_cnn` (Salamon & Bello 2017's network,
// nn/cnn/cnn_spec.h) and `model=cnn` (the same blocks from `model.conv` / `model.dense`). Both
// train on a FrameStore's clips with random windows (nn/cnn/cnn_fit.h) and save their layers, the
// input scaling and the window settings in model.safetensors, so classify, serve and monitor window
// a clip the same way.
#pragma once

#include "experiment/model_factory.h"

namespace audify {

const ModelKind& sb_cnn_kind();
const ModelKind& cnn_kind();

// The model.* keys of a CNN kind against the features' bands, before any run folder exists:
// throws audify::Error naming the key or layer that does not fit.
void check_cnn_options(const RunConfig& config);

}  // namespace audify
