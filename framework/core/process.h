// Child processes without a shell: a worker started in the background with its output in a file
// (multirun points), and a command run to completion with its output captured (sbatch, squeue).
// Arguments are passed as they are, so paths with spaces or quotes need no escaping.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace audify {

// Starts argv[0] (found on PATH when it has no '/') with stdout and stderr truncated into
// `output`; returns its pid for waitpid. Throws audify::Error when fork fails.
pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& output);

struct ProcessOutput {
  int status = 0;      // as waitpid returns it
  std::string output;  // stdout and stderr, interleaved
  bool ok() const;     // exited with 0
};

// Runs argv to completion, capturing its output. A program that cannot be started gives exit
// status 127 and a message in `output`, as a shell would.
ProcessOutput run_process(const std::vector<std::string>& argv);

// "exit 3", "signal 9": how a waitpid status ended.
std::string exit_text(int status);

}  // namespace audify
