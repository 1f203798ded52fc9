// `audify bench train model=sb_cnn`: Adam training steps/s of SB-CNN (nn/cnn/sb_cnn.h) at batch 32
// on random 1 x 128 x 128 windows, OpenBLAS on `threads` threads; the figure to set beside the
// PyTorch peer (../shared/peers/peer_sbcnn.py) run at the same batch and thread count; with
// `device`, the GPU CNN trainer's steps (nn::DeviceTrainer::make_cnn_stepper).
#pragma once

#include <string>
#include <vector>

namespace audify {

struct CnnTrainBenchOptions {
  int threads = 1;
  int steps = 20;  // measured, after 3 warm-up steps
  int batch = 32;
  bool layers = false;  // also time each layer's forward and backward (on the CPU)
  bool device = false;  // the steps on the registered device trainer (device=cuda)
};

struct CnnLayerTime {
  std::string name;
  double forward_ms = 0, backward_ms = 0;
};

struct CnnTrainBenchResult {
  double steps_per_second = 0;      // wall clock
  double cpu_seconds_per_step = 0;  // process CPU time (all threads): robust on a busy machine
  // 3 x 2 x forward multiply-adds x batch: the peer's count (backward costs about twice forward;
  // the first convolution's input gradient, which training never needs, is counted but skipped).
  double gflop_per_step = 0;
  std::size_t parameters = 0;
  std::string blas_core;             // OpenBLAS's kernels (core/blas_kernels.h)
  std::vector<CnnLayerTime> layers;  // CPU time per layer
};

CnnTrainBenchResult run_cnn_train_bench(const CnnTrainBenchOptions& options);

}  // namespace audify
