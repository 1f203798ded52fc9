#include "commands.h"

namespace audify::cli {

void add_bench_command(CLI::App& app) { app.add_subcommand("bench", "(in progress)"); }

}  // namespace audify::cli
