#include "commands.h"

namespace audify::cli {

void add_synth_command(CLI::App& app) { app.add_subcommand("synth", "(in progress)"); }

}  // namespace audify::cli
