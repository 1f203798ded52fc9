#include "serve/serve_bench.h"

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <random>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/wav_writer.h"
#include "serve/http_server.h"

namespace audify {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double cpu_ms(clockid_t clock = CLOCK_THREAD_CPUTIME_ID) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1;
  return values[std::min(at, values.size() - 1)];
}

// 4 s of a two-tone chord with noise, 44.1 kHz 16-bit stereo, as WAV bytes. The WAV writer works
// on files, so it goes through a temporary one.
std::string generated_clip() {
  constexpr int kRate = 44100, kFrames = 4 * kRate;
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  std::vector<float> interleaved(2 * kFrames);
  for (int t = 0; t < kFrames; ++t) {
    const double s = 0.3 * std::sin(2 * M_PI * 440.0 * t / kRate) +
                     0.1 * std::sin(2 * M_PI * 1370.0 * t / kRate);
    for (int c = 0; c < 2; ++c) interleaved[2 * t + c] = static_cast<float>(s) + noise(rng);
  }
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("audify-bench-serve-" + std::to_string(::getpid()) + ".wav");
  write_wav_atomic(path, interleaved, {kRate, 2, WavSample::kPcm16});
  std::string bytes = read_file(path);
  std::filesystem::remove(path);
  return bytes;
}

void single_clip(const TrainedModel& model, const std::string& clip, int repeats,
                 ServeBenchResult& r) {
  const auto bytes = std::as_bytes(std::span(clip.data(), clip.size()));
  std::vector<double> totals, cpu;
  for (int i = 0; i < repeats + 3; ++i) {
    const auto start = Clock::now();
    const double cpu_start = cpu_ms();
    const Classification c = model.classify_bytes(bytes, "bench.wav");
    if (i < 3) continue;  // warm-up: FFT plans, page faults
    totals.push_back(ms_between(start, Clock::now()));
    cpu.push_back(cpu_ms() - cpu_start);
    r.decode_ms += c.decode_ms / repeats;
    r.features_ms += c.features_ms / repeats;
    r.model_ms += c.model_ms / repeats;
    r.clip_seconds = c.duration_seconds;
  }
  r.single_p50_ms = percentile(totals, 0.5);
  r.single_cpu_p50_ms = percentile(cpu, 0.5);
}

}  // namespace

ServeBenchResult run_serve_bench(const TrainedModel& model, const ServeBenchOptions& options) {
  if (options.clients < 1 || options.requests < 1 || options.single < 1)
    fail("bench serve: clients, requests and single must be positive");
  ServeBenchResult r;
  const std::string clip = options.clip.empty() ? generated_clip() : read_file(options.clip);
  r.clip_bytes = clip.size();
  single_clip(model, clip, options.single, r);

  ServeOptions serve;
  serve.port = 0;
  serve.threads = options.clients + 2;  // every client keeps its connection, plus spare
  serve.max_uploads = options.clients;
  serve.max_concurrent = options.clients;
  serve.log_requests = false;
  serve.limits.max_bytes = std::max(serve.limits.max_bytes, clip.size());
  r.server_threads = serve.threads;
  HttpServer server(model, serve);
  const int port = server.bind();
  std::thread serving([&server] { server.run(); });

  // The multipart body is made once: httplib's client would rebuild it for every request, and
  // that copying, not the server, was what the clients' CPU time went into.
  const std::string boundary = "audify-bench-boundary-7d1f3a";
  const std::string form = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; "
                           "filename=\"bench.wav\"\r\nContent-Type: audio/wav\r\n\r\n" +
                           clip + "\r\n--" + boundary + "--\r\n";
  const std::string form_type = "multipart/form-data; boundary=" + boundary;
  std::atomic<int> next{0}, failures{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(options.clients));
  std::vector<std::thread> clients;
  std::atomic<int> warm{0};
  Clock::time_point start;
  double cpu_start = 0;
  for (int k = 0; k < options.clients; ++k)
    clients.emplace_back([&, k] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(60);
      client.set_keep_alive(true);
      for (int i = 0; i < 2; ++i) client.Post("/api/classify", form, form_type);
      if (++warm == options.clients) {
        start = Clock::now();
        cpu_start = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
      }
      while (warm < options.clients) std::this_thread::yield();
      while (next++ < options.requests) {
        const auto t0 = Clock::now();
        const httplib::Result res = client.Post("/api/classify", form, form_type);
        latencies[static_cast<std::size_t>(k)].push_back(ms_between(t0, Clock::now()));
        if (!res || res->status != 200) ++failures;
      }
    });
  for (std::thread& t : clients) t.join();
  const double seconds = ms_between(start, Clock::now()) / 1000.0;
  const double cpu_used = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  server.stop();
  serving.join();

  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  r.clients = options.clients;
  r.requests = static_cast<int>(all.size());
  r.failures = failures;
  r.requests_per_second = static_cast<double>(all.size()) / seconds;
  r.p50_ms = percentile(all, 0.5);
  r.p99_ms = percentile(all, 0.99);
  r.cpu_ms_per_request = cpu_used / static_cast<double>(all.size());
  return r;
}

}  // namespace audify
