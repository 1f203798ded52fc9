// `audify bench train`: Adam steps/s of the seed MLP (40-100-200-100-10, batch 50) on one thread
// and with one independent model per thread, and the wall time of a 10-fold cross-validation (100
// epochs, one fold per thread) on an UrbanSound8K-sized synthetic feature table (8732 rows).
//
// On a device (run_device_train_bench, through nn/train_backend.h): steps/s of one model and of
// `models` models trained together (strided-batched GEMMs), and the 10 folds trained together.
#pragma once

#include <string>

namespace audify {

struct TrainBenchOptions {
  int steps = 20000;  // measured steps per thread (per model on a device)
  int threads = 0;    // the parallel run; 0 = all cores
  int models = 10;    // device: models trained together
  int cv_epochs = 100;
  bool cross_validation = true;
};

struct TrainBenchResult {
  int threads = 1;
  double steps_per_second_1 = 0;    // one thread
  double steps_per_second_all = 0;  // summed over `threads` independent models
  double cv_seconds = 0;            // 10 folds x cv_epochs, folds in parallel
  double cv_mean_accuracy = 0;      // sanity: the synthetic blobs are learnable
};

TrainBenchResult run_train_bench(const TrainBenchOptions& options);

struct DeviceTrainBenchResult {
  std::string backend;  // "cuda" (or "cuda-emulated" in tests)
  int models = 1;
  double steps_per_second_1 = 0;     // one model, the whole epoch loop included
  double steps_per_second_many = 0;  // summed over `models` models trained together
  double cv_seconds = 0;             // 10 folds x cv_epochs, the folds trained together
  double cv_mean_accuracy = 0;
};

// The registered device trainer's figures; throws audify::Error saying why when none is usable.
DeviceTrainBenchResult run_device_train_bench(const TrainBenchOptions& options);

}  // namespace audify
