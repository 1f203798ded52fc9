// fork + execvp; between them only async-signal-safe calls, since the parent may have threads.
#include "core/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace audify {
namespace {

std::vector<char*> c_argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (std::string& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

// In the child: stdout and stderr to `fd`, then exec; 127 when the program cannot start.
[[noreturn]] void exec_child(int fd, char* const* argv) {
  if (fd >= 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ::execvp(argv[0], argv);
  static const char message[] = "cannot execute the program\n";
  (void)!::write(2, message, sizeof message - 1);
  ::_exit(127);
}

}  // namespace

bool ProcessOutput::ok() const {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& output) {
  AUDIFY_ASSERT(!argv.empty());
  std::vector<std::string> args = argv;
  std::vector<char*> cargs = c_argv(args);
  const std::string out = output.string();
  const pid_t pid = ::fork();
  if (pid < 0) fail("cannot start {}: fork failed: {}", argv[0], std::strerror(errno));
  if (pid == 0) exec_child(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), cargs.data());
  return pid;
}

ProcessOutput run_process(const std::vector<std::string>& argv) {
  AUDIFY_ASSERT(!argv.empty());
  std::vector<std::string> args = argv;
  std::vector<char*> cargs = c_argv(args);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    fail("cannot start {}: pipe failed: {}", argv[0], std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    fail("cannot start {}: fork failed: {}", argv[0], std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    exec_child(::dup(fds[1]), cargs.data());  // the dup drops O_CLOEXEC
  }
  ::close(fds[1]);
  ProcessOutput result;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(fds[0]);
  while (::waitpid(pid, &result.status, 0) < 0)
    if (errno != EINTR) fail("{}: waitpid failed: {}", argv[0], std::strerror(errno));
  return result;
}

std::string exit_text(int status) {
  if (WIFEXITED(status)) return fmt::format("exit {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("signal {}", WTERMSIG(status));
  return "unknown status";
}

}  // namespace audify
