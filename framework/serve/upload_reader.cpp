#include "serve/upload_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "serve/api_error.h"

namespace audify {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxNameLength = 200;

std::string clip_name(std::string name) {
  if (name.empty()) return "upload";
  if (name.size() > kMaxNameLength) name.resize(kMaxNameLength);
  return name;
}

}  // namespace

Upload read_upload(const httplib::Request& request, const httplib::Response& response,
                   const httplib::ContentReader& reader, const UploadReadLimits& limits) {
  Upload upload;
  upload.name = clip_name(request.get_param_value("name"));
  enum class Stop { none, too_big, late } stop = Stop::none;
  std::size_t received = 0;  // every part counts toward the limit, kept or not
  auto last_data = Clock::now();
  const auto accept = [&](std::string* into, const char* data, std::size_t n) {
    last_data = Clock::now();
    if (last_data > limits.deadline) {
      stop = Stop::late;
      return false;
    }
    received += n;
    if (received > limits.max_bytes) {
      stop = Stop::too_big;
      upload.bytes = std::string();  // release it; the rest is read only to be dropped
      return received <= limits.max_bytes + kUploadSlack;
    }
    if (into) into->append(data, n);
    return true;
  };

  // One allocation for the body instead of doubling through 4 KB chunks.
  upload.bytes.reserve(std::min<std::size_t>(
      request.get_header_value<std::uint64_t>("Content-Length"), limits.max_bytes));
  bool complete = false;
  bool has_file = false;
  if (request.is_multipart_form_data()) {
    bool in_file = false;
    complete = reader(
        [&](const httplib::MultipartFormData& part) {
          in_file = part.name == "file" && !has_file;
          if (in_file) {
            has_file = true;
            if (!part.filename.empty()) upload.name = clip_name(part.filename);
          }
          return true;
        },
        [&](const char* data, std::size_t n) {
          return accept(in_file ? &upload.bytes : nullptr, data, n);
        });
  } else {
    has_file = true;
    complete =
        reader([&](const char* data, std::size_t n) { return accept(&upload.bytes, data, n); });
  }

  if (stop == Stop::too_big || response.status == 413)
    throw ApiError(
        413, fmt::format("too big: the upload exceeds the limit of {} bytes", limits.max_bytes));
  if (stop == Stop::late)
    throw ApiError(408, "upload too slow: it did not arrive within the request timeout");
  if (!complete) {
    // A read that timed out leaves about read_timeout since the last data; allow for jitter.
    if (Clock::now() - last_data >= 0.9 * std::chrono::duration<double>(limits.read_timeout))
      throw ApiError(408,
                     fmt::format("upload stalled: no data for {} s", limits.read_timeout.count()));
    throw ApiError(400,
                   "incomplete upload: the body ended before its declared length, or the "
                   "multipart body is malformed");
  }
  if (!has_file)
    throw ApiError(400, "the multipart upload has no field named 'file' (use <input name=file>)");
  return upload;
}

bool drain_upload(const httplib::Request& request, const httplib::ContentReader& reader,
                  std::size_t max_bytes) {
  std::size_t received = 0;
  const auto drop = [&](const char*, std::size_t n) {
    received += n;
    return received <= max_bytes + kUploadSlack;
  };
  if (request.is_multipart_form_data())
    return reader([](const httplib::MultipartFormData&) { return true; }, drop);
  return reader(drop);
}

}  // namespace audify
