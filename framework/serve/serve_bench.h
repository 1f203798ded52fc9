// `audify bench serve`: the web API under load on loopback, and one clip's latency through the
// pipeline alone. The server and its clients run in this process; every request is a real HTTP
// request over a real socket (multipart upload of a 4 s, 44.1 kHz, 16-bit stereo WAV, the
// commonest UrbanSound8K format, the page's response with plots).
#pragma once

#include <filesystem>
#include <string>

#include "serve/trained_model.h"

namespace audify {

struct ServeBenchOptions {
  int clients = 8;             // concurrent HTTP clients, one keep-alive connection each
  int requests = 2000;         // measured requests in all (after a warm-up of 2 per client)
  int single = 300;            // repetitions of the single-clip latency run
  std::filesystem::path clip;  // a file to send instead of the generated clip
};

struct ServeBenchResult {
  double clip_seconds = 0;  // duration of the clip sent
  std::size_t clip_bytes = 0;
  // Load: requests/s over the whole run, latency percentiles per request, ms.
  int clients = 0, requests = 0, failures = 0;
  double requests_per_second = 0, p50_ms = 0, p99_ms = 0;
  double cpu_ms_per_request = 0;  // process CPU time (server and clients) per request
  // One clip, one thread, no HTTP: decode + resample + MFCC + MLP (p50, ms) and its stages (mean).
  double single_p50_ms = 0, decode_ms = 0, features_ms = 0, model_ms = 0;
  // The same run's CPU time per clip (p50, ms): what it costs on a core of its own, even on a
  // machine busy with other work.
  double single_cpu_p50_ms = 0;
  int server_threads = 0;
};

ServeBenchResult run_serve_bench(const TrainedModel& model, const ServeBenchOptions& options);

}  // namespace audify
