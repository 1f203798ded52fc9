// `audify bench`: throughput benchmarks of the real pipeline (speed targets live here, not in
// tests).
#include <fmt/format.h>

#include "bench/feature_bench.h"
#include "bench/train_bench.h"
#include "commands.h"

namespace audify::cli {
namespace {

void print_feature_bench(const std::vector<FeatureBenchRow>& rows) {
  fmt::print("decode + resample + MFCC-40 mean, 4 s 44.1 kHz 16-bit stereo WAV -> 22050 Hz\n");
  fmt::print("{:<12} {:>7} {:>10} {:>12} {:>10} {:>12} {:>10}\n", "resampler", "threads", "clips/s",
             "clips/s/core", "decode ms", "resample ms", "mfcc ms");
  for (const FeatureBenchRow& r : rows)
    fmt::print("{:<12} {:>7} {:>10.0f} {:>12.0f} {:>10.3f} {:>12.3f} {:>10.3f}\n",
               resampler_name(r.resampler), r.threads, r.clips_per_second,
               r.clips_per_second / r.threads, r.decode_ms, r.resample_ms, r.mfcc_ms);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Throughput benchmarks (features, train)");
  bench->require_subcommand(1);
  auto opts = std::make_shared<FeatureBenchOptions>();
  CLI::App* features = bench->add_subcommand(
      "features",
      "clips/s for decode + resample + MFCC on 1 thread and all threads, both resamplers");
  features->add_option("--clips", opts->clips, "clips per pass")->check(CLI::Range(1, 100000));
  features->add_option("--repeats", opts->repeats, "passes; the best counts")
      ->check(CLI::Range(1, 100));
  features->add_option("-j,--threads", opts->threads,
                       "threads for the parallel run (default: all cores)");
  features->callback([opts] { print_feature_bench(run_feature_bench(*opts)); });

  auto train_opts = std::make_shared<TrainBenchOptions>();
  CLI::App* train = bench->add_subcommand("train",
                                          "Adam steps/s of the seed MLP at batch 50 (1 thread, all "
                                          "threads) and a 10-fold CV's wall time");
  train->add_option("--steps", train_opts->steps, "measured steps per thread")
      ->check(CLI::Range(100, 10000000));
  train->add_option("-j,--threads", train_opts->threads,
                    "threads for the parallel runs (default: all cores)");
  train->add_option("--cv-epochs", train_opts->cv_epochs,
                    "epochs per fold of the cross-validation");
  train->add_flag("!--no-cv", train_opts->cross_validation, "skip the 10-fold cross-validation");
  train->callback([train_opts] {
    const TrainBenchResult r = run_train_bench(*train_opts);
    fmt::print("seed MLP 40-100-200-100-10, batch 50, Adam, dropout 0.5\n");
    fmt::print("1 thread:   {:.0f} steps/s\n", r.steps_per_second_1);
    fmt::print("{} threads: {:.0f} steps/s in all ({:.0f} per thread, one model each)\n", r.threads,
               r.steps_per_second_all, r.steps_per_second_all / r.threads);
    if (r.cv_seconds > 0)
      fmt::print(
          "10-fold CV, {} epochs, 8732 synthetic rows, {} threads: {:.1f} s (mean accuracy "
          "{:.3f})\n",
          train_opts->cv_epochs, r.threads, r.cv_seconds, r.cv_mean_accuracy);
  });
}

}  // namespace audify::cli
