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

// fit_together's path for CNNs on a device (device=cuda): when every request, two or more, is one,
// each model runs its own fit_cnn (its own schedule, validation, early stopping and augmentation,
// so folds of different sizes need no padding) on its own host thread, with its own GpuApi: a
// CUDA stream, cuBLAS and cuDNN handle per model, which the device runs side by side. That is
// the simpler of the two ways to train folds together; stacking the M models as the groups of one
// grouped convolution would launch M times fewer, M times larger kernels (better for SB-CNN's
// batch of 32, which leaves most of a large GPU idle) but needs a trainer of its own. Epoch hooks
// run one at a time. Returns false, training nothing, for any other mix.
bool fit_device_cnns_together(std::span<FitRequest> requests);

}  // namespace audify
