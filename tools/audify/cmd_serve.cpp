// `audify serve`: the web page and JSON API (framework/serve/http_server.h) for one trained run.
// Ctrl-C or SIGTERM stops it cleanly: the signal only raises a flag, the main thread stops the
// server, and requests in progress finish first.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "audio_limit_options.h"
#include "commands.h"
#include "serve/http_server.h"
#include "serve/trained_model.h"

namespace audify::cli {
namespace {

struct ServeArgs {
  std::string model;
  ServeOptions options;
};

std::atomic<bool> g_stop_signalled{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_stop_signal(int) {
  g_stop_signalled = true;
}

void run_serve(ServeArgs args) {
  const std::unique_ptr<TrainedModel> model = TrainedModel::load(args.model);
  HttpServer server(*model, args.options);
  server.bind();

  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::thread serving([&server] { server.run(); });
  fmt::print("audify serve: {} ({} classes) at {}\n", model->id(), model->class_names().size(),
             server.url());
  fmt::print("  POST {}api/classify  (multipart field 'file' or raw body); Ctrl-C stops\n",
             server.url());
  std::fflush(stdout);
  while (!g_stop_signalled) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("stopping");
  server.stop();
  serving.join();
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve a trained model: a web page to classify uploaded clips and a JSON API.\n"
      "  audify serve --model outputs/default/<date>_<time> --port 8080\n"
      "  curl -F file=@dog.wav http://127.0.0.1:8080/api/classify");
  ServeOptions& o = args->options;
  cmd->add_option("--model", args->model, "run directory (or its model.safetensors)")->required();
  cmd->add_option("--host", o.host, "address to listen on (0.0.0.0: every interface)")
      ->capture_default_str();
  cmd->add_option("--port", o.port, "TCP port (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--threads", o.threads,
                  "worker threads (connections served at once); more than --max-uploads")
      ->check(CLI::Range(2, 4096))
      ->capture_default_str();
  cmd->add_option("--max-uploads", o.max_uploads,
                  "classify requests at once, from headers to answer; more are answered 503")
      ->check(CLI::Range(1, 4095))
      ->capture_default_str();
  cmd->add_option("--max-concurrent", o.max_concurrent,
                  "classifications computing at once, once uploaded; more wait their turn")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  add_audio_limit_options(*cmd, o.limits, "413", "422");
  add_answer_limit_options(*cmd, o.limits);
  cmd->add_option("--upload-timeout,--timeout", o.upload_timeout_s,
                  "seconds an upload's body may take to arrive (longer: 408)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--read-timeout", o.read_timeout_s,
                  "seconds a request may leave the connection idle (a stalled upload: 408)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--cors-origin", o.cors_origin,
                  "allow this origin to call /api/* from a browser (default: no CORS)");
  cmd->add_flag("!--no-log", o.log_requests, "do not log each request");
  cmd->callback([args] { run_serve(*args); });
}

}  // namespace audify::cli
