// `audify serve`'s upload reader behind httplib's request parser, as POST /api/classify reaches
// it: the input is one HTTP request (request line, headers, blank line, body). A request without
// Content-Length or Transfer-Encoding gets a Content-Length that fits its body, so mutations of
// the body are not all refused for their length. The limit is small so "too big" is reachable.
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "serve/api_error.h"
#include "serve/upload_reader.h"

namespace {

constexpr std::size_t kMaxBytes = 64 * 1024;

// One request in, the response thrown away.
class RequestStream final : public httplib::Stream {
 public:
  explicit RequestStream(std::string request) : request_(std::move(request)) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const std::size_t n = std::min(size, request_.size() - offset_);
    std::copy_n(request_.data() + offset_, n, ptr);
    offset_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char*, size_t size) override { return static_cast<ssize_t>(size); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8000;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  std::string request_;
  std::size_t offset_ = 0;
};

class UploadServer final : public httplib::Server {
 public:
  UploadServer() {
    Post("/api/classify", [](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
      try {
        const audify::Upload upload = audify::read_upload(
            req, res, reader,
            {kMaxBytes, std::chrono::steady_clock::now() + std::chrono::hours(1),
             std::chrono::seconds(10)});
        if (upload.bytes.size() > kMaxBytes || upload.name.empty() || upload.name.size() > 200)
          __builtin_trap();
        res.status = 200;
      } catch (const audify::ApiError& e) {
        res.status = e.status();
      }
    });
  }
  void serve(std::string request) {
    RequestStream stream(std::move(request));
    bool closed = false;
    process_request(stream, true, closed, nullptr);
  }
};

std::string with_length(std::string request) {
  const std::size_t end = request.find("\r\n\r\n");
  if (end == std::string::npos) return request;
  std::string head = request.substr(0, end);
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (head.find("content-length:") != std::string::npos ||
      head.find("transfer-encoding:") != std::string::npos)
    return request;
  const std::size_t body = request.size() - end - 4;
  request.insert(end, "\r\nContent-Length: " + std::to_string(body));
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static UploadServer server;
  server.serve(with_length(std::string(audify::fuzz::as_text(data, size))));
  return 0;
}
