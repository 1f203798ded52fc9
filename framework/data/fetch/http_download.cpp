#include "data/fetch/http_download.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/progress.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One attempt's state, shared with libcurl's write callback.
struct Attempt {
  CURL* curl = nullptr;
  std::FILE* file = nullptr;
  std::string label;
  std::uint64_t offset = 0;  // bytes in the .part file before this attempt
  std::string write_error;
  std::unique_ptr<Progress> progress;
};

void start_progress(Attempt& attempt) {
  curl_off_t remaining = -1;
  curl_easy_getinfo(attempt.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &remaining);
  std::string label = attempt.label;
  if (attempt.offset > 0) label += fmt::format(" (resumed at {} bytes)", attempt.offset);
  if (remaining <= 0) label += " (size not announced)";
  attempt.progress = std::make_unique<Progress>(
      label, remaining > 0 ? static_cast<std::size_t>(remaining) : 0, "bytes");
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& attempt = *static_cast<Attempt*>(user);
  if (!attempt.progress) start_progress(attempt);
  const std::size_t bytes = size * count;
  if (!attempt.write_error.empty()) return 0;
  if (std::fwrite(data, 1, bytes, attempt.file) != bytes) {
    attempt.write_error = std::strerror(errno);
    return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
  }
  attempt.progress->tick(bytes);
  return bytes;
}

struct Outcome {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string message;
};

Outcome run_attempt(const std::string& url, Attempt& attempt, const DownloadOptions& options) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  AUDIFY_ASSERT(curl != nullptr);
  attempt.curl = curl.get();
  char error_buffer[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);  // Zenodo and GitHub answer with redirects
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);  // an error page is not the archive
  curl_easy_setopt(c, CURLOPT_USERAGENT, "audify/" AUDIFY_VERSION);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_s);
  curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(attempt.offset));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &attempt);
  Outcome outcome;
  outcome.code = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &outcome.status);
  outcome.message = error_buffer[0] ? error_buffer : curl_easy_strerror(outcome.code);
  if (attempt.progress) attempt.progress->finish();
  return outcome;
}

// Failures that a later attempt may not meet: a dropped or stalled connection, a busy server.
bool worth_retrying(const Outcome& outcome) {
  switch (outcome.code) {
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    case CURLE_HTTP_RETURNED_ERROR:
      return outcome.status >= 500 || outcome.status == 429 || outcome.status == 408;
    default:
      return false;
  }
}

std::uint64_t size_or_zero(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  return error ? 0 : size;
}

}  // namespace

fs::path partial_download_path(const fs::path& dest) {
  return fs::path(dest.string() + ".part");
}

DownloadResult download_resumable(const std::string& url, const fs::path& dest,
                                  const DownloadOptions& options) {
  init_curl_once();
  const fs::path part = partial_download_path(dest);
  if (dest.has_parent_path()) fs::create_directories(dest.parent_path());
  DownloadResult result;
  result.resumed_from = size_or_zero(part);
  auto delay = options.first_retry_delay;
  for (int number = 1;; ++number) {
    Attempt attempt;
    attempt.label = "download " + dest.filename().string();
    attempt.offset = size_or_zero(part);
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(part.c_str(), "ab"),
                                                         &std::fclose);
    if (!file) fail("{}: cannot open for writing: {}", part.string(), std::strerror(errno));
    attempt.file = file.get();
    const Outcome outcome = run_attempt(url, attempt, options);
    const bool closed_ok = std::fclose(file.release()) == 0;
    result.attempts = number;
    if (!attempt.write_error.empty() || !closed_ok)
      fail("{}: cannot write: {}", part.string(),
           attempt.write_error.empty() ? std::strerror(errno) : attempt.write_error);
    // 416 to a range request from a non-empty .part file: it already holds the whole resource
    // (an earlier run stopped between the last byte and the rename). The checksum judges it.
    const bool already_complete =
        outcome.code == CURLE_HTTP_RETURNED_ERROR && outcome.status == 416 && attempt.offset > 0;
    if (outcome.code == CURLE_OK || already_complete) {
      fs::rename(part, dest);
      result.bytes = fs::file_size(dest);
      return result;
    }
    // libcurl refuses a 200 answer to a range request: that server cannot resume, so start over.
    if (outcome.code == CURLE_RANGE_ERROR && attempt.offset > 0 && number < options.attempts) {
      spdlog::warn("{}: the server cannot resume; downloading from the start", url);
      fs::resize_file(part, 0);
      continue;
    }
    const std::string what = outcome.code == CURLE_HTTP_RETURNED_ERROR
                                 ? fmt::format("HTTP {}", outcome.status)
                                 : outcome.message;
    if (!worth_retrying(outcome)) {
      if (size_or_zero(part) == 0) fs::remove(part);  // nothing to continue from
      fail("{}: {}", url, what);
    }
    if (number >= options.attempts)
      fail(
          "{}: {} (gave up after {} attempts; the {} bytes received are kept in {}, so running "
          "again continues from there)",
          url, what, number, size_or_zero(part), part.string());
    spdlog::warn("{}: {}; retrying in {:.1f} s from byte {}", url, what,
                 std::chrono::duration<double>(delay).count(), size_or_zero(part));
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

}  // namespace audify
