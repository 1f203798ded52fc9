// audify: environmental sound classification, from WAV files to reports. See `audify --help`.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Audify: environmental sound classification (UrbanSound8K) - librosa-exact MFCCs on CPU and "
      "CUDA, experiments from TOML configs, baselines, reports and serving."};
  app.set_version_flag("--version", std::string("audify ") + AUDIFY_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");

  audify::cli::add_synth_command(app);
  audify::cli::add_extract_command(app);
  audify::cli::add_bench_command(app);
  audify::cli::add_info_command(app);
  audify::cli::add_run_command(app);
  audify::cli::add_classify_command(app);
  audify::cli::add_report_command(app);

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
