// audify: environmental sound classification, from WAV files to reports. See `audify --help`.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string_view>

#include "backend_emulated.h"
#include "commands.h"
#include "config/paths.h"
#include "core/blas_kernels.h"
#include "core/error.h"
#ifdef AUDIFY_WITH_CUDA
#include "backend_cuda.h"
#endif

namespace {

// Benchmarks and CNN training (a run or sweep naming a cnn model or experiment): their time is in
// OpenBLAS's sgemm. Other commands keep the kernels the test binaries get, so that features and
// models computed in and out of process stay bit-identical (core/blas_kernels.h).
bool wants_fast_blas(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string_view command = argv[1];
  if (command == "bench") return true;
  if (command != "run" && command != "sweep") return false;
  for (int i = 2; i < argc; ++i)
    if (std::string_view(argv[i]).find("cnn") != std::string_view::npos) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (wants_fast_blas(argc, argv)) audify::reexec_with_better_blas_core(argv);
  CLI::App app{
      "Audify: environmental sound classification (UrbanSound8K) - librosa-exact MFCCs on CPU and "
      "CUDA, experiments from TOML configs, baselines, reports and serving."};
  app.set_version_flag("--version", std::string("audify ") + AUDIFY_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  // Before the subcommand's own options, so `audify run --config-dir DIR ...` works too.
  app.add_option_function<std::string>(
         "--config-dir", [](const std::string& dir) { audify::set_config_dir(dir); },
         "a folder holding configs/ and/or experiments/, searched after the working directory's "
         "./configs and ./experiments and before the installed ones (see `audify run --cfg`)")
      ->type_name("DIR");
#ifdef AUDIFY_WITH_CUDA
  audify::cuda::register_cuda_backend();
#endif
  audify::cuda::register_emulated_backend_if_requested();  // AUDIFY_CUDA_EMULATE=1, for tests

  audify::cli::add_synth_command(app);
  audify::cli::add_extract_command(app);
  audify::cli::add_bench_command(app);
  audify::cli::add_info_command(app);
  audify::cli::add_run_command(app);
  audify::cli::add_classify_command(app);
  audify::cli::add_monitor_command(app);
  audify::cli::add_report_command(app);
  audify::cli::add_serve_command(app);
  audify::cli::add_sweep_command(app);
  CLI::App* dataset =
      app.add_subcommand("dataset", "datasets: inspect them and fetch the public ones")
          ->require_subcommand(1);
  audify::cli::add_dataset_info_command(*dataset);
  audify::cli::add_dataset_fetch_command(*dataset);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const audify::Error& e) {
    std::fprintf(stderr, "audify: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "audify: unexpected error: %s\n", e.what());
    return 3;
  }
  return 0;
}
