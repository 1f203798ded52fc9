// `audify bench`: throughput benchmarks of the real pipeline (speed targets live here, not in
// tests).
#include <fmt/format.h>

#include "bench/feature_bench.h"
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
  CLI::App* bench = app.add_subcommand("bench", "Throughput benchmarks (features)");
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
}

}  // namespace audify::cli
