// Resumable HTTP(S) downloads of large archives (libcurl). Bytes go to "<dest>.part", which an
// interrupted attempt (or run) leaves behind; the next one asks for the rest with an HTTP Range
// request, and the file is renamed to `dest` only when the transfer is complete.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace audify {

struct DownloadOptions {
  // Attempts in one call: a dropped connection, a stall or a 5xx is retried from where it stopped.
  int attempts = 6;
  std::chrono::milliseconds first_retry_delay{2000};  // doubled after each failed attempt
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;  // an attempt that receives nothing for this long is abandoned
};

struct DownloadResult {
  std::uint64_t bytes = 0;         // the size of the finished file
  std::uint64_t resumed_from = 0;  // bytes already in the .part file when this call began
  int attempts = 0;
};

std::filesystem::path partial_download_path(const std::filesystem::path& dest);

// Downloads `url` to `dest` (creating its folder), with a progress line on stderr. A server that
// ignores the Range request gets the .part file restarted from zero. Errors name the URL (an HTTP
// status, a connection failure after the last attempt) or the file (a write failure); the .part
// file is kept so that the next call continues.
DownloadResult download_resumable(const std::string& url, const std::filesystem::path& dest,
                                  const DownloadOptions& options = {});

}  // namespace audify
