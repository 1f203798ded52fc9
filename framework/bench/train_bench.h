// `audify bench train`: Adam steps/s of the seed MLP (40-100-200-100-10, batch 50) on one thread
// and with one independent model per thread, and the wall time of a 10-fold cross-validation (100
// epochs, one fold per thread) on an UrbanSound8K-sized synthetic feature table (8732 rows).
#pragma once

namespace audify {

struct TrainBenchOptions {
  int steps = 20000;  // measured steps per thread
  int threads = 0;    // the parallel run; 0 = all cores
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

}  // namespace audify
