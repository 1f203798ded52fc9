#include "serve/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <string_view>
#include <thread>

#include "nn/dense_kernels.h"
#include "serve/api_error.h"
#include "serve/index_html.h"
#include "serve/request_slots.h"
#include "serve/upload_reader.h"

namespace audify {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr const char* kJsonType = "application/json";
// The page needs nothing from elsewhere: inline script and style, canvas drawing, fetch to itself.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

struct Route {
  std::string_view path;
  std::string_view allow;  // methods, as the Allow header lists them
};
constexpr Route kRoutes[] = {{"/", "GET, HEAD"},
                             {"/api/health", "GET, HEAD"},
                             {"/api/model", "GET, HEAD"},
                             {"/api/classify", "POST"}};
constexpr const char* kRouteList = "GET /, POST /api/classify, GET /api/health, GET /api/model";

const Route* find_route(const std::string& path) {
  for (const Route& r : kRoutes)
    if (r.path == path) return &r;
  return nullptr;
}

// Filenames and paths come from clients and need not be UTF-8.
std::string to_text(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}
std::string error_text(const std::string& message) {
  return to_text(Json{{"error", message}});
}

// Answers, then closes the connection: for a request whose body was not read to its end, so its
// rest is never parsed as a next request. httplib 0.11 keeps a connection open unless writing the
// answer fails, so the provider writes the whole answer and then reports failure.
void answer_and_close(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_header("Connection", "close");
  auto shared = std::make_shared<std::string>(std::move(body));
  res.set_content_provider(
      shared->size(), kJsonType,
      [shared](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        sink.write(shared->data() + offset, length);
        return false;
      });
}

// What httplib answers on its own (a malformed request line, a declared length over the payload
// limit...) gets a JSON body too.
std::string default_message(int status) {
  switch (status) {
    case 400:
      return "bad request: malformed HTTP";
    case 404:
      return std::string("no such path; the API is ") + kRouteList;
    case 413:
      return "too big: the request exceeds the upload limit";
    case 414:
      return "the request URI is too long";
    default:
      return fmt::format("the request failed with HTTP status {}", status);
  }
}

// An upload that has arrived waits this long for a classification slot before a 503: far more
// than max_uploads / max_concurrent classifications take, so only a wedged server refuses here.
constexpr auto kClassifySlotWait = std::chrono::seconds(10);
// An idle keep-alive connection holds a worker thread while it waits for its next request.
constexpr int kKeepAliveSeconds = 5;

void check_options(const ServeOptions& o) {
  if (o.max_concurrent < 1 || o.max_uploads < 1)
    fail("serve: max_concurrent ({}) and max_uploads ({}) must be at least 1", o.max_concurrent,
         o.max_uploads);
  // Every upload in progress holds a thread; the threads beyond them answer everything else.
  if (o.threads <= o.max_uploads)
    fail(
        "serve: threads ({}) must be more than max_uploads ({}), or uploads that stall take "
        "every thread and nothing else is answered (--threads, --max-uploads)",
        o.threads, o.max_uploads);
  if (o.read_timeout_s < 1 || o.write_timeout_s < 1 || o.upload_timeout_s < 1)
    fail("serve: read, write and upload timeouts must be at least 1 s");
}

}  // namespace

struct HttpServer::Impl {
  const TrainedModel& model;
  ServeOptions options;
  httplib::Server server;
  // From a classify request's headers to its answer: bounds the threads and memory uploads hold.
  RequestSlots uploads;
  // Classifications computing; counted only once the upload has arrived.
  RequestSlots classifications;
  std::atomic<bool> stop_requested{false}, in_run{false};
  int port = -1;
  socket_t listen_socket = INVALID_SOCKET;

  Impl(const TrainedModel& m, ServeOptions o)
      : model(m),
        options(std::move(o)),
        uploads(options.max_uploads),
        classifications(options.max_concurrent) {
    check_options(options);
    // Requests are the parallelism: OpenBLAS's own threads (the DCT's sgemm) would only spin
    // between calls, and measured 40 % more CPU and latency per request on loopback.
    nn::blas_single_thread();
    configure();
  }

  void configure() {
    const int threads = options.threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_payload_max_length(options.limits.max_bytes + kUploadSlack);
    server.set_read_timeout(options.read_timeout_s);
    server.set_write_timeout(options.write_timeout_s);
    server.set_keep_alive_max_count(100);
    server.set_keep_alive_timeout(kKeepAliveSeconds);
    server.set_tcp_nodelay(true);
    // httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and take
    // half its connections; SO_REUSEADDR alone still allows a quick restart.
    server.set_socket_options([this](socket_t sock) {
      const int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_socket = sock;
    });
    server.set_default_headers({{"X-Content-Type-Options", "nosniff"}});

    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy", kPagePolicy);
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_content(std::string(kIndexHtml), "text/html; charset=utf-8");
    });
    server.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(to_text({{"status", "ok"},
                               {"model", model.id()},
                               {"in_flight", classifications.in_use()},
                               {"max_concurrent", options.max_concurrent},
                               {"uploads", uploads.in_use()},
                               {"max_uploads", options.max_uploads}}),
                      kJsonType);
    });
    const std::string summary = to_text(model_summary(model));
    server.Get("/api/model", [summary](const httplib::Request&, httplib::Response& res) {
      res.set_content(summary, kJsonType);
    });
    server.Post("/api/classify",
                [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) { classify(req, res, reader); });
    // Everything the routes above did not take: unknown paths, wrong methods, CORS preflights.
    // Bodies are read and dropped first so the answer reaches a client still sending one.
    const auto refuse_with_body = [this](const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& reader) {
      if (!drain_upload(req, reader, options.limits.max_bytes))
        return answer_and_close(res, 413,
                                error_text("too big: the request exceeds the upload limit"));
      refuse(req, res);
    };
    const auto refuse_without_body = [this](const httplib::Request& req, httplib::Response& res) {
      refuse(req, res);
    };
    server.Get(".*", refuse_without_body);
    server.Options(".*", refuse_without_body);
    server.Post(".*", refuse_with_body);
    server.Put(".*", refuse_with_body);
    server.Patch(".*", refuse_with_body);
    server.Delete(".*", refuse_with_body);
    server.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (req.path.starts_with("/api/")) res.set_header("Cache-Control", "no-store");
      if (!options.cors_origin.empty() && req.path.starts_with("/api/")) {
        res.set_header("Access-Control-Allow-Origin", options.cors_origin);
        res.set_header("Vary", "Origin");
      }
    });
    server.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (res.has_header("Content-Type")) return httplib::Server::HandlerResponse::Unhandled;
          res.set_content(error_text(default_message(res.status)), kJsonType);
          return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
          spdlog::error("{} {}: unexpected exception", req.method, req.path);
          res.status = 500;
          res.set_content(error_text("internal error"), kJsonType);
        });
    if (options.log_requests)
      server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        spdlog::info("{} {} {} -> {}", req.remote_addr, req.method, req.path, res.status);
      });
  }

  // 404 for an unknown path, 405 for a known one asked with the wrong method, 204 for a CORS
  // preflight when an origin is configured.
  void refuse(const httplib::Request& req, httplib::Response& res) const {
    const Route* route = find_route(req.path);
    if (!route) {
      res.status = 404;
      res.set_content(
          error_text(fmt::format("no such path: {} (the API is {})", req.path, kRouteList)),
          kJsonType);
    } else if (req.method == "OPTIONS" && !options.cors_origin.empty() &&
               req.path.starts_with("/api/")) {
      res.status = 204;
      res.set_header("Access-Control-Allow-Methods", std::string(route->allow) + ", OPTIONS");
      res.set_header("Access-Control-Allow-Headers", "Content-Type");
      res.set_header("Access-Control-Max-Age", "600");
    } else {
      res.status = 405;
      res.set_header("Allow", std::string(route->allow));
      res.set_content(error_text(fmt::format("method {} is not allowed on {}; use {}", req.method,
                                             req.path, route->allow)),
                      kJsonType);
    }
  }

  void classify(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader& reader) {
    const RequestSlots::Held upload_slot = uploads.try_take();
    if (!upload_slot) {
      // Refused unread and closed: draining the body would keep this thread for as long as the
      // client stalls, which is what the upload limit is there to prevent.
      res.set_header("Retry-After", "1");
      return answer_and_close(
          res, 503,
          error_text(fmt::format("busy: {} uploads are in progress, the limit; retry",
                                 options.max_uploads)));
    }
    Upload upload;
    try {
      upload = read_upload(
          req, res, reader,
          {options.limits.max_bytes, Clock::now() + std::chrono::seconds(options.upload_timeout_s),
           std::chrono::seconds(options.read_timeout_s)});
    } catch (const ApiError& e) {
      return answer_and_close(res, e.status(), error_text(e.what()));
    }
    // The client has sent everything: it waits its turn rather than being refused now.
    const RequestSlots::Held classify_slot =
        classifications.take_until(Clock::now() + kClassifySlotWait);
    if (!classify_slot) {
      res.set_header("Retry-After", "1");
      res.status = 503;
      return res.set_content(
          error_text(fmt::format("busy: all {} classification slots stayed taken for {} s; retry",
                                 options.max_concurrent, kClassifySlotWait.count())),
          kJsonType);
    }
    const std::string plots = req.get_param_value("plots");
    try {
      const Json out =
          classify_upload(model, std::as_bytes(std::span(upload.bytes.data(), upload.bytes.size())),
                          upload.name, options.limits, plots != "0" && plots != "false");
      res.status = 200;
      res.set_content(to_text(out), kJsonType);
    } catch (const ApiError& e) {
      res.status = e.status();
      res.set_content(error_text(e.what()), kJsonType);
    } catch (const std::exception& e) {
      spdlog::error("classify {}: {}", upload.name, e.what());
      res.status = 500;
      res.set_content(error_text(std::string("internal error: ") + e.what()), kJsonType);
    }
  }
};

HttpServer::HttpServer(const TrainedModel& model, ServeOptions options)
    : impl_(std::make_unique<Impl>(model, std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

int HttpServer::bind() {
  const ServeOptions& o = impl_->options;
  if (o.port == 0) {
    impl_->port = impl_->server.bind_to_any_port(o.host);
  } else if (impl_->server.bind_to_port(o.host, o.port)) {
    impl_->port = o.port;
  }
  if (impl_->port <= 0)
    fail("serve: cannot listen on {}:{} (in use, or not an address of this machine?)", o.host,
         o.port);
  // httplib 0.11 listens with a backlog of 5: a burst of more connections than that has the rest
  // retry after a second. Listening again on Linux only raises the backlog.
  if (::listen(impl_->listen_socket, SOMAXCONN) != 0)
    spdlog::warn("serve: could not raise the listen backlog; bursts of connections may wait");
  return impl_->port;
}

void HttpServer::run() {
  impl_->in_run = true;
  if (!impl_->stop_requested) impl_->server.listen_after_bind();
  impl_->in_run = false;
}

void HttpServer::stop() {
  impl_->stop_requested = true;
  // httplib's stop() does nothing before its accept loop has started; wait for it to start (or for
  // run() to have returned) so a stop that races a start is not lost.
  while (impl_->in_run && !impl_->server.is_running()) std::this_thread::yield();
  impl_->server.stop();
}

std::string HttpServer::url() const {
  const std::string& host = impl_->options.host;
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("http://{}:{}/", ipv6 ? "[" + host + "]" : host, impl_->port);
}

}  // namespace audify
