// Each `audify` subcommand lives in its own cmd_<name>.cpp and registers itself on the app.
#pragma once

#include <CLI/CLI.hpp>

namespace audify::cli {

void add_synth_command(CLI::App& app);
void add_extract_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_classify_command(CLI::App& app);
void add_monitor_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_bench_serve_command(CLI::App& bench);  // `audify bench serve`, under `bench`
void add_sweep_command(CLI::App& app);
void add_dataset_fetch_command(CLI::App& dataset);  // `audify dataset fetch`, under `dataset`
void add_dataset_info_command(CLI::App& dataset);   // `audify dataset info`, under `dataset`

}  // namespace audify::cli
