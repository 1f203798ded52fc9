// `audify bench`: throughput benchmarks of the real pipeline (speed targets live here, not in
// tests).
#include <fmt/format.h>

#include <cmath>

#include "bench/cnn_train_bench.h"
#include "bench/feature_bench.h"
#include "bench/forest_bench.h"
#include "bench/frame_store_bench.h"
#include "bench/train_bench.h"
#include "commands.h"
#include "core/error.h"
#include "nn/train_backend.h"

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

void print_gpu_feature_bench(const GpuFeatureBench& r) {
  fmt::print(
      "MFCC-40 mean on {} in batches (kaiser_fast to 22050 Hz; {} clips of 4 s, {} batches)\n",
      r.backend, r.clips, r.batches);
  if (r.backend != "cuda")
    fmt::print("  (host emulation of the GPU pipeline: these figures say nothing about a GPU)\n");
  const auto line = [&](const char* what, double seconds) {
    fmt::print("  {:<34} {:>10.0f} clips/s {:>8.3f} GB/s of samples\n", what, r.clips / seconds,
               r.sample_bytes / seconds / 1e9);
  };
  line("decoded clips (GPU only)", r.seconds_without_decode);
  line(fmt::format("with decode on {} threads", r.threads).c_str(), r.seconds_with_decode);
}

// `device=X` as a positional override, or --device X; cpu when neither is given.
Device bench_device(const std::vector<std::string>& overrides, const std::string& flag) {
  std::string device = flag;
  for (const std::string& o : overrides) {
    if (!o.starts_with("device="))
      fail("bench: unknown argument '{}' (expected device=cpu|cuda)", o);
    device = o.substr(7);
  }
  return parse_device(device.empty() ? "cpu" : device);
}

// Removes a `model=X` override from `overrides` and returns X ("mlp" when none is given).
std::string take_model(std::vector<std::string>& overrides) {
  std::string model = "mlp";
  std::erase_if(overrides, [&](const std::string& o) {
    if (!o.starts_with("model=")) return false;
    model = o.substr(6);
    return true;
  });
  if (model != "mlp" && model != "sb_cnn")
    fail("bench train: model={} has no benchmark (expected mlp or sb_cnn)", model);
  return model;
}

void print_cnn_train_bench(const CnnTrainBenchResult& r, const CnnTrainBenchOptions& o) {
  fmt::print("sb_cnn 1x128x128, {} parameters, batch {}, Adam, dropout 0.5, {}\n", r.parameters,
             o.batch,
             o.device ? std::string("on the GPU trainer")
                      : fmt::format("{} thread(s), OpenBLAS {} kernels", o.threads, r.blas_core));
  fmt::print("{:.2f} steps/s, {:.2f} GFLOP per step, {:.1f} GFLOP/s; CPU time {:.3f} s per step\n",
             r.steps_per_second, r.gflop_per_step, r.gflop_per_step * r.steps_per_second,
             r.cpu_seconds_per_step);
  // One window per clip per epoch: UrbanSound8K's 8732 clips are ceil(8732 / batch) steps.
  const double steps = std::ceil(8732.0 / o.batch);
  fmt::print(
      "one epoch over 8732 clips' windows: {:.0f} steps, {:.0f} s ({:.1f} min) at this rate\n",
      steps, steps / r.steps_per_second, steps / r.steps_per_second / 60);
  for (std::size_t i = 0; i < r.layers.size(); ++i)
    fmt::print("  layer {:>2} {:<10} forward {:7.2f} ms  backward {:7.2f} ms\n", i,
               r.layers[i].name, r.layers[i].forward_ms, r.layers[i].backward_ms);
}

void print_device_train_bench(const DeviceTrainBenchResult& r, const TrainBenchOptions& o) {
  fmt::print("seed MLP 40-100-200-100-10, batch 50, Adam, dropout 0.5, on {}\n", r.backend);
  if (r.backend != "cuda")
    fmt::print("  (host emulation of the GPU trainer: these figures say nothing about a GPU)\n");
  fmt::print("1 model:    {:.0f} steps/s\n", r.steps_per_second_1);
  fmt::print("{} models together: {:.0f} steps/s in all ({:.0f} per model)\n", r.models,
             r.steps_per_second_many, r.steps_per_second_many / r.models);
  if (r.cv_seconds > 0)
    fmt::print(
        "10-fold CV, {} epochs, 8732 synthetic rows, folds together: {:.2f} s (mean "
        "accuracy {:.3f})\n",
        o.cv_epochs, r.cv_seconds, r.cv_mean_accuracy);
}

void print_forest_bench(const ForestBenchResult& r, const ForestOptions& o) {
  fmt::print("random forest ({}), {} trees, {} thread(s), {} x {} training rows from {}\n",
             o.engine == ForestEngine::cart ? "cart" : "xgboost", o.n_trees, o.threads,
             r.train_rows, r.features, r.data);
  fmt::print(
      "fit {:.2f} s ({:.1f} trees/s), predict {} rows {:.2f} s, held-out accuracy {:.2f} %\n",
      r.fit_seconds, o.n_trees / r.fit_seconds, r.test_rows, r.predict_seconds,
      100.0 * r.test_accuracy);
}

// `model=random_forest` (the one baseline with a benchmark so far) and `model.KEY=VALUE` overrides.
ForestOptions forest_bench_options(const std::vector<std::string>& overrides, int threads) {
  ForestOptions options;
  options.threads = threads;
  OptionSchema schema("model");
  bind(schema, options);
  for (const std::string& o : overrides) {
    const std::size_t eq = o.find('=');
    if (o == "model=random_forest") continue;
    if (!o.starts_with("model.") || eq == std::string::npos)
      fail(
          "bench baseline: unknown argument '{}' (expected model=random_forest or "
          "model.KEY=VALUE)",
          o);
    schema.apply_override(o.substr(6, eq - 6), o.substr(eq + 1), "the command line");
  }
  return options;
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Throughput benchmarks (features, train)");
  bench->require_subcommand(1);
  auto opts = std::make_shared<FeatureBenchOptions>();
  auto device_args = std::make_shared<std::vector<std::string>>();
  auto device_flag = std::make_shared<std::string>();
  CLI::App* features = bench->add_subcommand(
      "features",
      "clips/s for decode + resample + MFCC on 1 thread and all threads, both resamplers; with "
      "device=cuda, clips/s and GB/s of the batched GPU path with and without decoding");
  features->add_option("overrides", *device_args, "device=cpu (default) or device=cuda");
  features->add_option("--device", *device_flag, "cpu (default) or cuda (refused without a GPU)");
  features->add_option("--clips", opts->clips, "clips per pass")->check(CLI::Range(1, 100000));
  features->add_option("--repeats", opts->repeats, "passes; the best counts")
      ->check(CLI::Range(1, 100));
  features->add_option("-j,--threads", opts->threads,
                       "threads for the parallel run (default: all cores)");
  features->callback([opts, device_args, device_flag] {
    const Device device = bench_device(*device_args, *device_flag);
    if (device == Device::cpu)
      print_feature_bench(run_feature_bench(*opts));
    else
      print_gpu_feature_bench(run_gpu_feature_bench(*opts, device));
  });

  auto train_opts = std::make_shared<TrainBenchOptions>();
  auto train_device_args = std::make_shared<std::vector<std::string>>();
  auto train_device_flag = std::make_shared<std::string>();
  CLI::App* train =
      bench->add_subcommand("train",
                            "Adam steps/s of the seed MLP at batch 50 (1 thread, all "
                            "threads) and a 10-fold CV's wall time; with "
                            "device=cuda, 1 and N models trained together on the GPU");
  train->add_option("overrides", *train_device_args,
                    "device=cpu (default) or device=cuda; model=sb_cnn: the CNN");
  train->add_option("--device", *train_device_flag,
                    "cpu (default) or cuda (refused without a GPU)");
  train->add_option("--models", train_opts->models, "device: models trained together")
      ->check(CLI::Range(1, 1000));
  train->add_option("--steps", train_opts->steps, "measured steps per thread")
      ->check(CLI::Range(100, 10000000));
  train->add_option("-j,--threads", train_opts->threads,
                    "threads for the parallel runs (default: all cores)");
  train->add_option("--cv-epochs", train_opts->cv_epochs,
                    "epochs per fold of the cross-validation");
  train->add_flag("!--no-cv", train_opts->cross_validation, "skip the 10-fold cross-validation");
  auto cnn = std::make_shared<CnnTrainBenchOptions>();
  train->add_flag("--layers", cnn->layers, "model=sb_cnn: also time every layer");
  train->add_option("--cnn-steps", cnn->steps, "model=sb_cnn: measured steps")
      ->check(CLI::Range(1, 100000));
  train->callback([train_opts, train_device_args, train_device_flag, cnn] {
    if (take_model(*train_device_args) == "sb_cnn") {
      cnn->device = bench_device(*train_device_args, *train_device_flag) == Device::cuda;
      cnn->threads = train_opts->threads > 0 ? train_opts->threads : 1;
      return print_cnn_train_bench(run_cnn_train_bench(*cnn), *cnn);
    }
    const Device device = bench_device(*train_device_args, *train_device_flag);
    std::string why;
    if (device == Device::cuda || (device == Device::auto_ && nn::device_training_usable(why)))
      return print_device_train_bench(run_device_train_bench(*train_opts), *train_opts);
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

  auto forest_args = std::make_shared<std::vector<std::string>>();
  auto forest_bench = std::make_shared<ForestBenchOptions>();
  auto forest_threads = std::make_shared<int>(1);
  CLI::App* baseline = bench->add_subcommand(
      "baseline",
      "model=random_forest: wall time of one fit on folds 2-10 of the feature table (synthetic "
      "rows of that shape without it), accuracy on fold 1");
  baseline->add_option("overrides", *forest_args, "model=random_forest, model.KEY=VALUE");
  baseline->add_option("--features", forest_bench->features,
                       "the feature table CSV (absent: synthetic rows)");
  baseline->add_option("-j,--threads", *forest_threads, "threads fitting trees (0 = all cores)")
      ->check(CLI::Range(0, 1024));
  baseline->callback([forest_args, forest_bench, forest_threads] {
    forest_bench->forest = forest_bench_options(*forest_args, *forest_threads);
    print_forest_bench(run_forest_bench(*forest_bench), forest_bench->forest);
  });
  auto frames_opts = std::make_shared<FrameStoreBenchOptions>();
  CLI::App* frames = bench->add_subcommand("frames",
                                           "the CNN frame store at UrbanSound8K's size: bytes per "
                                           "clip, save and load seconds of the one "
                                           "cached file (random values, no audio)");
  frames->add_option("--clips", frames_opts->clips, "clips in the store")
      ->check(CLI::Range(1, 1000000));
  frames->add_option("--dir", frames_opts->dir, "where the file is written (default: temp)");
  frames->callback([frames_opts] {
    const FrameStoreBenchResult r = run_frame_store_bench(*frames_opts);
    fmt::print("frame store: {} clips x {} frames x {} bands, {:.1f} MB ({:.1f} KB per clip)\n",
               frames_opts->clips, frames_opts->frames, frames_opts->bands, r.bytes / 1e6,
               r.bytes_per_clip / 1e3);
    fmt::print(
        "save {:.2f} s ({:.0f} MB/s), load {:.2f} s ({:.0f} MB/s, file in the page cache, "
        "checksum verified)\n",
        r.save_seconds, r.bytes / 1e6 / r.save_seconds, r.load_seconds,
        r.bytes / 1e6 / r.load_seconds);
  });
  add_bench_serve_command(*bench);  // cmd_bench_serve.cpp
}

}  // namespace audify::cli
