// Kernel: a training batch gathered on the device from each model's rows of the feature table,
// zero past the model's batch size so that padding rows contribute nothing to the gradients.
#pragma once

#include "kernels/launch_entry.cuh"
#include "kernels/model_step.cuh"

namespace audify::gpu {

struct GatherBatchKernel {
  const float* table;       // (table rows, inputs), every model's standardised rows back to back
  const int* table_labels;  // (table rows)
  const int* index;         // (models, max_batch): rows of `table` in batch order
  const ModelStep* steps;   // (models)
  float* x;                 // (models, max_batch, inputs) out
  int* labels;              // (models, max_batch) out; -1 past the batch
  int inputs;
  int max_batch;

  struct Shared {};
  static constexpr int kPhases = 1;

  static LaunchShape shape(int inputs, int max_batch, int models) {
    LaunchShape s = launch_1d(static_cast<long long>(inputs) * max_batch);
    s.grid.y = static_cast<unsigned>(models);
    return s;
  }

  AUDIFY_HD void operator()(int, const GridIndex& g, Shared&) const {
    const long long e = global_x(g);
    if (e >= static_cast<long long>(inputs) * max_batch) return;
    const int m = static_cast<int>(g.block.y);
    const int r = static_cast<int>(e / inputs), c = static_cast<int>(e % inputs);
    const long long slot = static_cast<long long>(m) * max_batch + r;
    const bool used = r < steps[m].rows;
    const long long row = used ? index[slot] : 0;
    x[slot * inputs + c] = used ? table[row * inputs + c] : 0.0f;
    if (c == 0) labels[slot] = used ? table_labels[row] : -1;
  }
};
AUDIFY_KERNEL(GatherBatchKernel);

}  // namespace audify::gpu
