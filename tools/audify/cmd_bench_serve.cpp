// `audify bench serve`: the web API's requests/s and latency percentiles with N concurrent
// clients on loopback, and one clip's end-to-end latency (decode + MFCC + MLP).
#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "core/error.h"
#include "serve/serve_bench.h"

namespace audify::cli {
namespace {

struct BenchServeArgs {
  std::string model;
  ServeBenchOptions options;
};

void print_serve_bench(const TrainedModel& model, const ServeBenchResult& r) {
  fmt::print("model {}; clip {:.2f} s, {} bytes (WAV)\n", model.id(), r.clip_seconds, r.clip_bytes);
  fmt::print(
      "single clip, 1 thread, no HTTP: {:.2f} ms p50 (decode {:.2f} + resample/MFCC {:.2f} "
      "+ model {:.3f} ms, means)\n",
      r.single_p50_ms, r.decode_ms, r.features_ms, r.model_ms);
  fmt::print("  CPU time per clip: {:.2f} ms p50\n", r.single_cpu_p50_ms);
  fmt::print("HTTP on loopback, {} clients, {} server threads: {} requests, {} failures\n",
             r.clients, r.server_threads, r.requests, r.failures);
  fmt::print("  {:.0f} requests/s, latency p50 {:.2f} ms, p99 {:.2f} ms\n", r.requests_per_second,
             r.p50_ms, r.p99_ms);
  fmt::print("  CPU time per request (server and clients): {:.2f} ms\n", r.cpu_ms_per_request);
}

}  // namespace

void add_bench_serve_command(CLI::App& bench) {
  auto args = std::make_shared<BenchServeArgs>();
  CLI::App* cmd = bench.add_subcommand(
      "serve",
      "requests/s and p50/p99 latency of POST /api/classify (4 s clips) with N concurrent "
      "clients, and one clip's decode + MFCC + model latency");
  cmd->add_option("--model", args->model, "run directory (or its model.safetensors)")->required();
  cmd->add_option("-c,--clients", args->options.clients, "concurrent clients")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("-n,--requests", args->options.requests, "measured requests in all")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd->add_option("--single", args->options.single, "repetitions of the single-clip run")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--clip", args->options.clip,
                  "send this audio file (default: a generated 4 s "
                  "44.1 kHz 16-bit stereo WAV)");
  cmd->callback([args] {
    const std::unique_ptr<TrainedModel> model = TrainedModel::load(args->model);
    const ServeBenchResult r = run_serve_bench(*model, args->options);
    print_serve_bench(*model, r);
    if (r.failures > 0) fail("bench serve: {} of {} requests failed", r.failures, r.requests);
  });
}

}  // namespace audify::cli
