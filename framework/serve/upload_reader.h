// Reads the file of a POST /api/classify as it streams in, within the server's limits: the
// multipart field "file" (its filename names the clip) or else the raw body (?name= names it).
// Reading through httplib's ContentReader, not its buffered body, is what lets the byte limit and
// the deadline stop an upload part-way, chunked transfers included.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <string>

namespace audify {

// Bytes beyond max_bytes that a request may carry: multipart framing, and the rest of an upload
// found too big, read and dropped so the answer reaches a client still sending (a server that
// closes with unread bytes resets the connection, and the client may never see the 413).
inline constexpr std::size_t kUploadSlack = 1u << 20;

struct Upload {
  std::string bytes;  // the file, in memory only
  std::string name;   // for messages: the multipart filename, ?name=, or "upload"
};

struct UploadReadLimits {
  std::size_t max_bytes = 20u << 20;  // of the file
  std::chrono::steady_clock::time_point deadline;
  std::chrono::seconds read_timeout{10};  // the server's socket read timeout, for the message
};

// Throws ApiError: 413 over max_bytes, 408 past the deadline or stalled, 400 a malformed
// multipart body, no "file" field, or a body that ended early.
Upload read_upload(const httplib::Request& request, const httplib::Response& response,
                   const httplib::ContentReader& reader, const UploadReadLimits& limits);

// Reads a request's body and drops it, up to max_bytes + kUploadSlack: for requests refused
// without looking at their body. False when it could not be read to its end.
bool drain_upload(const httplib::Request& request, const httplib::ContentReader& reader,
                  std::size_t max_bytes);

}  // namespace audify
