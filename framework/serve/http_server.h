// `audify serve`: the web page and the JSON API over one trained model, on cpp-httplib with a
// fixed pool of worker threads.
//
//   GET  /               the page (self-contained HTML: upload, classes, waveform, mel image)
//   POST /api/classify   multipart field "file" or the raw body -> classify_upload() JSON
//   GET  /api/health     {"status": "ok", "model", "in_flight", "max_concurrent", "uploads",
//                         "max_uploads"}
//   GET  /api/model      model_summary() JSON
//
// Every refusal is JSON {"error": "..."} with a 4xx/5xx status. Uploads are held in memory only,
// never written to disk. The model is fixed when the server is made; no request can name a path.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "serve/classify_api.h"
#include "serve/trained_model.h"

namespace audify {

struct ServeOptions {
  std::string host = "127.0.0.1";  // loopback only unless told otherwise
  int port = 8080;                 // 0: any free port (bind() says which)
  // Worker threads, each serving one connection at a time (idle keep-alive ones too); more than
  // max_uploads, so that uploads which stall cannot take the threads health and the page need.
  int threads = 48;
  // Classify requests at once from their headers to their answer, a thread each; more get 503 at
  // once, unread. It bounds the memory uploads hold to max_uploads * max_bytes.
  int max_uploads = 32;
  // Classifications computing at once, counted from when the upload has arrived; more wait.
  int max_concurrent = 8;
  UploadLimits limits;
  int read_timeout_s = 10;    // the longest a client may leave the socket idle mid-request
  int write_timeout_s = 10;   // the longest the answer may wait for a client to read it
  int upload_timeout_s = 60;  // the longest one upload's body may take to arrive
  std::string cors_origin;    // Access-Control-Allow-Origin for /api/*; empty: no CORS headers
  bool log_requests = true;   // one spdlog line per request
};

class HttpServer {
 public:
  // `model` must outlive the server.
  HttpServer(const TrainedModel& model, ServeOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on options.host:options.port; returns the port. Throws audify::Error when
  // the address cannot be bound. Clients may connect as soon as this returns.
  int bind();
  // Serves until stop() (from any thread); call after bind().
  void run();
  void stop();
  // http://host:port/ of the bound server.
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace audify
