#include "commands.h"

namespace audify::cli {

void add_extract_command(CLI::App& app) { app.add_subcommand("extract", "(in progress)"); }

}  // namespace audify::cli
