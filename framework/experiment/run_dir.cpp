// Run directories are created with create_directory (which fails when the folder exists), so two
// runs started in the same second, even from parallel processes, never share one.
#include "experiment/run_dir.h"

#include <fmt/chrono.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstdio>
#include <ctime>

#include "core/atomic_file.h"
#include "core/error.h"

namespace audify {
namespace fs = std::filesystem;

std::string timestamp_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return fmt::format("{:%Y-%m-%d_%H-%M-%S}", local);
}

fs::path create_run_dir(const fs::path& output_root, const std::string& experiment,
                        const std::string& prefix, const std::string& suffix) {
  const fs::path parent = output_root / experiment;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) fail("{}: cannot create the output folder: {}", parent.string(), ec.message());
  const std::string stem = prefix + timestamp_now() + (suffix.empty() ? "" : "_" + suffix);
  for (int n = 0; n < 1000; ++n) {
    const fs::path dir = parent / (n == 0 ? stem : fmt::format("{}_{}", stem, n));
    if (fs::create_directory(dir, ec)) return dir;
    if (ec) fail("{}: cannot create the run directory: {}", dir.string(), ec.message());
  }
  fail("{}: too many run directories named {}*", parent.string(), stem);
}

void mark_run_failed(const fs::path& dir, const std::string& error) {
  try {
    write_file_atomic(dir / kFailedFile, error + "\n");
  } catch (const std::exception& e) {
    spdlog::warn("{}: cannot mark the run failed: {}", dir.string(), e.what());
  }
}

void clear_run_failed(const fs::path& dir) {
  std::error_code ec;
  fs::remove(dir / kFailedFile, ec);
}

std::string git_commit() {
  const std::string command =
      fmt::format("git -C '{}' rev-parse HEAD 2>/dev/null", std::string(AUDIFY_SOURCE_DIR));
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "unknown";
  std::array<char, 128> buf{};
  std::string out;
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe)) out += buf.data();
  const int status = ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (status != 0 || out.size() != 40) return "unknown";
  return out;
}

RunLog::RunLog(bool quiet) : previous_(spdlog::default_logger()) {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_pattern("[%H:%M:%S] %^%l%$ %v");
  if (quiet) console->set_level(spdlog::level::warn);
  auto memory = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines_);
  memory->set_pattern("[%Y-%m-%d %H:%M:%S.%e] %l %v");
  memory_ = memory;
  auto logger = std::make_shared<spdlog::logger>("run", spdlog::sinks_init_list{console, memory});
  logger->set_level(previous_ ? previous_->level() : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

RunLog::~RunLog() {
  if (previous_) spdlog::set_default_logger(previous_);
}

void RunLog::record_error(const std::string& message) {
  spdlog::logger("run-file", memory_).error("{}", message);
}

void RunLog::record_info(const std::string& message) {
  spdlog::logger("run-file", memory_).info("{}", message);
}

void RunLog::save(const fs::path& path) {
  spdlog::default_logger()->flush();
  write_file_atomic(path, lines_.str());
}

}  // namespace audify
