// `audify info`: what this build can do (version, backends, libraries).
#include <fmt/format.h>
#include <sndfile.h>

#include "commands.h"
#ifdef AUDIFY_WITH_CUDA
#include "device.h"
#endif

namespace audify::cli {

void add_info_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("info", "Print the build's version, backends and libraries");
  cmd->callback([] {
    fmt::print("audify {}\n", AUDIFY_VERSION);
    fmt::print("cpu backend: FFTW3 + OpenBLAS\n");
#ifdef AUDIFY_WITH_CUDA
    const auto status = audify::cuda::query_devices();
    if (status.device_count > 0)
      fmt::print("cuda backend: built, {} device(s), device 0: {}\n", status.device_count,
                 status.name);
    else
      fmt::print("cuda backend: built, not usable here ({})\n", status.reason);
#else
    fmt::print("cuda backend: not built (AUDIFY_CUDA=OFF or no nvcc)\n");
#endif
  });
}

}  // namespace audify::cli
