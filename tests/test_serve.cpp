// `audify serve`'s API through a real loopback socket: a classification that agrees with
// TrainedModel::classify_bytes, every kind of bad request with its status and message, 8
// concurrent clients on 2 classification slots, the busy (503) and stalled-upload (408) limits,
// stalled uploads that leave the rest answering, CORS, health and model.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/wav_writer.h"
#include "serve/http_server.h"
#include "serve/trained_model.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// A WAV file's bytes: a tone with a little noise.
std::string make_wav(const fs::path& dir, double seconds, int rate = 22050) {
  std::vector<float> samples(static_cast<std::size_t>(seconds * rate));
  for (std::size_t t = 0; t < samples.size(); ++t)
    samples[t] = 0.3f * static_cast<float>(std::sin(2 * M_PI * 440.0 * t / rate)) +
                 0.01f * static_cast<float>((t * 7919) % 101) / 101.0f;
  const fs::path path = dir / "tone.wav";
  write_wav_atomic(path, samples, {rate, 1, WavSample::kPcm16});
  std::string bytes = read_file(path);
  fs::remove(path);
  return bytes;
}

// A server on an ephemeral loopback port, serving on its own thread until destroyed.
class RunningServer {
 public:
  RunningServer(const TrainedModel& model, ServeOptions options)
      : server_(model, [&] {
          options.port = 0;
          options.log_requests = false;
          return options;
        }()) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.run(); });
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30);
    return c;
  }

 private:
  HttpServer server_;
  int port_ = 0;
  std::thread thread_;
};

// A raw TCP connection, for requests httplib::Client will not send (a body that stops halfway).
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    // A server that never answers fails the test instead of hanging it.
    const timeval limit{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& data) {
    ASSERT_EQ(::write(fd_, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }
  // Everything until the server closes the connection.
  std::string read_all() {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
};

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("serve");
    const fs::path synth = dir_->path() / "synth";
    const std::string env = "AUDIFY_CACHE_DIR='" + (dir_->path() / "cache").string() + "' '" +
                            test::audify_binary().string() + "' ";
    std::string out;
    ASSERT_EQ(
        test::run_command(env + "synth --out '" + synth.string() + "' --clips-per-class 4", &out),
        0)
        << out;
    const fs::path runs = dir_->path() / "runs";
    ASSERT_EQ(test::run_command(env + "run -q data.root='" + synth.string() + "' output_root='" +
                                    runs.string() + "' train.epochs=3 model.hidden=[32]",
                                &out),
              0)
        << out;
    for (const auto& e : fs::directory_iterator(runs / "default")) run_ = e.path();
    model_ = TrainedModel::load(run_).release();

    // A real UrbanSound8K clip when the shared sample is there, else one of the synthetic set.
    fs::path clip;
    const auto real = test::shared_path("data/urbansound8k-sample/audio");
    for (const auto& e : fs::recursive_directory_iterator(real ? *real : synth / "audio"))
      if (e.path().extension() == ".wav" && (clip.empty() || e.path() < clip)) clip = e.path();
    ASSERT_FALSE(clip.empty());
    clip_name_ = clip.filename().string();
    clip_ = new std::string(read_file(clip));

    ServeOptions options;
    options.threads = 12;
    options.max_uploads = 8;
    options.max_concurrent = 2;  // fewer than the 8 concurrent clients: the rest wait their turn
    options.limits.max_bytes = 2u << 20;
    options.limits.max_seconds = 10;
    server_ = new RunningServer(*model_, options);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete model_;
    delete clip_;
    delete dir_;
  }

  static json parse(const httplib::Result& r) {
    EXPECT_TRUE(r) << httplib::to_string(r.error());
    if (!r) return json();
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << r->body;
    return json::parse(r->body, nullptr, false);
  }
  // The request's status and its {"error"} message, which must be there and non-empty.
  static void expect_error(const httplib::Result& r, int status, const std::string& says) {
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, status) << r->body;
    const json j = parse(r);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << r->body;
    const std::string message = j.at("error").get<std::string>();
    EXPECT_NE(message.find(says), std::string::npos) << "status " << status << ": " << message;
  }
  static httplib::Result post_file(httplib::Client& c, const std::string& bytes,
                                   const std::string& name = "clip.wav") {
    return c.Post("/api/classify",
                  httplib::MultipartFormDataItems{{"file", bytes, name, "audio/wav"}});
  }

  static test::TempDir* dir_;
  static fs::path run_;
  static TrainedModel* model_;
  static std::string* clip_;
  static std::string clip_name_;
  static RunningServer* server_;
};

test::TempDir* ServeTest::dir_ = nullptr;
fs::path ServeTest::run_;
TrainedModel* ServeTest::model_ = nullptr;
std::string* ServeTest::clip_ = nullptr;
std::string ServeTest::clip_name_;
RunningServer* ServeTest::server_ = nullptr;

TEST_F(ServeTest, ClassifyAgreesWithTheModelOnTheSameBytes) {
  const Classification expected = model_->classify_bytes(as_bytes(*clip_), clip_name_);
  httplib::Client c = server_->client();
  for (const bool multipart : {true, false}) {
    const httplib::Result r =
        multipart ? post_file(c, *clip_, clip_name_)
                  : c.Post(("/api/classify?name=" + clip_name_).c_str(), *clip_, "audio/wav");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json j = parse(r);
    EXPECT_EQ(j.at("file"), clip_name_);
    EXPECT_EQ(j.at("model"), model_->id());
    ASSERT_EQ(j.at("probabilities").size(), model_->class_names().size());
    for (std::size_t i = 0; i < expected.probabilities.size(); ++i) {
      EXPECT_EQ(j["probabilities"][i].at("class"), model_->class_names()[i]);
      EXPECT_EQ(static_cast<float>(j["probabilities"][i].at("probability").get<double>()),
                expected.probabilities[i])
          << i;
    }
    EXPECT_EQ(j.at("predicted").at("id").get<int>(), expected.predicted);
    EXPECT_EQ(j.at("predicted").at("class"), model_->class_names()[expected.predicted]);
    EXPECT_DOUBLE_EQ(j.at("duration_seconds").get<double>(), expected.duration_seconds);
    for (const char* stage : {"decode", "features", "model", "total"})
      EXPECT_GE(j.at("timings_ms").at(stage).get<double>(), 0.0) << stage;
    // What the page draws: an envelope within full scale, a mel image of n_mels bands.
    const json& wave = j.at("waveform");
    EXPECT_EQ(wave.at("min").size(), wave.at("columns").get<std::size_t>());
    for (std::size_t k = 0; k < wave.at("min").size(); ++k) {
      EXPECT_LE(wave["min"][k].get<int>(), wave["max"][k].get<int>());
      EXPECT_GE(wave["min"][k].get<int>(), -127);
      EXPECT_LE(wave["max"][k].get<int>(), 127);
    }
    const json& mel = j.at("mel");
    EXPECT_EQ(mel.at("bands").get<int>(), model_->features().mfcc.n_mels);
    const std::size_t pixels =
        mel.at("frames").get<std::size_t>() * mel.at("bands").get<std::size_t>();
    EXPECT_EQ(mel.at("pixels").get<std::string>().size(), (pixels + 2) / 3 * 4);
  }
  // ?plots=0 drops the drawings and keeps the answer.
  const json lean = parse(c.Post("/api/classify?plots=0", *clip_, "audio/wav"));
  EXPECT_FALSE(lean.contains("mel"));
  EXPECT_EQ(lean.at("predicted").at("id").get<int>(), expected.predicted);
}

// A CNN run serves the same way: the clip's log-mel windows through the saved network.
TEST_F(ServeTest, ACnnRunServesItsWindowedPrediction) {
  const std::string env = "AUDIFY_CACHE_DIR='" + (dir_->path() / "cache").string() + "' '" +
                          test::audify_binary().string() + "' ";
  const fs::path runs = dir_->path() / "cnn_runs";
  std::string out;
  ASSERT_EQ(test::run_command(env + "run -q data.root='" + (dir_->path() / "synth").string() +
                                  "' output_root='" + runs.string() +
                                  "' model=cnn 'model.conv=[\"4x5x5+pool4x4\"]' "
                                  "model.dense=[8] model.window_frames=64 train.epochs=1",
                              &out),
            0)
      << out;
  fs::path run;
  for (const auto& e : fs::directory_iterator(runs / "default")) run = e.path();
  const std::unique_ptr<TrainedModel> cnn = TrainedModel::load(run);
  EXPECT_EQ(cnn->kind(), "cnn");
  const Classification expected = cnn->classify_bytes(as_bytes(*clip_), clip_name_);
  ServeOptions options;
  options.threads = 4;
  options.max_uploads = 2;
  options.max_concurrent = 1;
  RunningServer server(*cnn, options);
  httplib::Client c = server.client();
  const json j = parse(c.Post("/api/classify?plots=0", *clip_, "audio/wav"));
  ASSERT_EQ(j.at("probabilities").size(), expected.probabilities.size()) << j.dump();
  for (std::size_t i = 0; i < expected.probabilities.size(); ++i)
    EXPECT_EQ(static_cast<float>(j["probabilities"][i].at("probability").get<double>()),
              expected.probabilities[i]);
  EXPECT_EQ(j.at("model"), cnn->id());
}

TEST_F(ServeTest, EveryBadRequestGetsItsStatusAndSaysWhatWasWrong) {
  httplib::Client c = server_->client();
  const std::string tone = make_wav(dir_->path(), 1.0);
  expect_error(c.Post("/api/classify", "", "audio/wav"), 400, "empty upload");
  expect_error(post_file(c, ""), 400, "empty upload");
  expect_error(post_file(c, "this is plain text, not a sound", "notes.txt"), 415,
               "notes.txt: not a readable audio file");
  expect_error(post_file(c, tone.substr(0, tone.size() / 2), "cut.wav"), 422, "truncated");
  expect_error(post_file(c, make_wav(dir_->path(), 12.0, 8000), "long.wav"), 422,
               "too long: 12.0 s of audio, the limit is 10 s");
  // Over the byte limit: counted while streaming, and refused from the declared length alone.
  expect_error(c.Post("/api/classify", std::string((2u << 20) + 1000, 'x'), "audio/wav"), 413,
               "too big");
  expect_error(c.Post("/api/classify", std::string(5u << 20, 'x'), "audio/wav"), 413, "too big");
  expect_error(c.Post("/api/classify",
                      httplib::MultipartFormDataItems{{"audio", tone, "tone.wav", "audio/wav"}}),
               400, "no field named 'file'");
  const httplib::Result wrong_method = c.Get("/api/classify");
  expect_error(wrong_method, 405, "method GET is not allowed on /api/classify; use POST");
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST");
  expect_error(c.Delete("/"), 405, "not allowed");
  expect_error(c.Get("/nope"), 404, "no such path: /nope");
  expect_error(c.Post("/api/nope", tone, "audio/wav"), 404, "no such path");
  // After all those the connection still classifies.
  EXPECT_EQ(post_file(c, tone)->status, 200);
}

TEST_F(ServeTest, EightConcurrentClientsAllSucceedWithTheSameAnswer) {
  const Classification expected = model_->classify_bytes(as_bytes(*clip_), clip_name_);
  constexpr int kClients = 8, kRequests = 4;
  std::vector<std::vector<float>> seen(kClients * kRequests);
  std::vector<int> status(kClients * kRequests, 0);
  std::vector<std::thread> clients;
  for (int k = 0; k < kClients; ++k)
    clients.emplace_back([&, k] {
      httplib::Client c = server_->client();
      for (int i = 0; i < kRequests; ++i) {
        const httplib::Result r = post_file(c, *clip_, clip_name_);
        if (!r) continue;
        status[k * kRequests + i] = r->status;
        const json j = json::parse(r->body, nullptr, false);
        if (r->status != 200 || !j.is_object()) continue;
        for (const json& p : j.at("probabilities"))
          seen[k * kRequests + i].push_back(p.at("probability").get<float>());
      }
    });
  for (std::thread& t : clients) t.join();
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(status[i], 200) << i;
    EXPECT_EQ(seen[i], expected.probabilities) << i;
  }
}

TEST_F(ServeTest, UploadsBeyondTheLimitAre503AtOnceAndAStalledOneTimesOut) {
  ServeOptions options;
  options.threads = 3;
  options.max_uploads = 1;
  options.read_timeout_s = 1;
  const RunningServer busy(*model_, options);
  const std::string headers =
      "POST /api/classify HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\n"
      "Content-Length: 1000\r\n\r\n";
  // One upload that stops halfway holds the only upload slot...
  RawConnection stalled(busy.port());
  ASSERT_TRUE(stalled.connected());
  stalled.send(headers + std::string(100, 'x'));
  httplib::Client c = busy.client();
  for (int i = 0; i < 200; ++i) {
    const json health = parse(c.Get("/api/health"));
    if (health.value("uploads", 0) == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // ...so more uploads are turned away at once, unread, even ones that stall too: twice as many
  // as there are threads, all answered long before they could time out (1 s each, a thread each).
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<RawConnection>> more;
  for (int i = 0; i < 2 * options.threads; ++i) {
    more.push_back(std::make_unique<RawConnection>(busy.port()));
    ASSERT_TRUE(more.back()->connected());
    more.back()->send(headers);
  }
  for (const auto& connection : more) {
    const std::string answer = connection->read_all();
    EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
    EXPECT_NE(answer.find("busy: 1 uploads are in progress"), std::string::npos) << answer;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
  const httplib::Result refused = post_file(c, make_wav(dir_->path(), 0.5));
  expect_error(refused, 503, "busy");
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
  // The stalled one is answered when its read times out,
  const std::string answer = stalled.read_all();
  EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
  EXPECT_NE(answer.find("upload stalled"), std::string::npos) << answer;
  // and the slot is free again.
  EXPECT_EQ(post_file(c, *clip_)->status, 200);
}

TEST_F(ServeTest, ThreadsMustOutnumberUploads) {
  ServeOptions options;
  options.threads = options.max_uploads;
  EXPECT_THROW(HttpServer(*model_, options), audify::Error);
}

// Uploads that send their headers and then nothing, as a slow or hostile client does: each holds a
// connection until its read times out (10 s), and must not hold what other requests need.
TEST_F(ServeTest, StalledUploadsLeaveClassificationAndHealthAnswering) {
  const ServeOptions defaults;  // what `audify serve` runs with
  constexpr int kStalled = 20;
  ASSERT_GT(kStalled, defaults.max_concurrent);
  const RunningServer server(*model_, defaults);
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < kStalled; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(stalled.back()->connected());
    stalled.back()->send(
        "POST /api/classify HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\n"
        "Content-Length: 100000\r\n\r\n");
  }
  // Far below the stalls' 10 s, far above what a request takes even on a loaded machine.
  constexpr auto kPrompt = std::chrono::seconds(4);
  httplib::Client c("127.0.0.1", server.port());
  c.set_connection_timeout(kPrompt);
  c.set_read_timeout(kPrompt);
  const auto timed = [](const auto& request) {
    const auto start = std::chrono::steady_clock::now();
    httplib::Result r = request();
    return std::pair(std::move(r), std::chrono::steady_clock::now() - start);
  };
  // Health answers while every stalled upload is in progress, and says so.
  json health = json::object();
  for (int i = 0; i < 100 && health.value("uploads", 0) < kStalled; ++i) {
    const auto [r, took] = timed([&] { return c.Get("/api/health"); });
    ASSERT_TRUE(r) << "health did not answer within " << kPrompt.count()
                   << " s while uploads stall: " << httplib::to_string(r.error());
    EXPECT_LT(took, kPrompt);
    health = json::parse(r->body, nullptr, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(health.value("uploads", 0), kStalled) << health.dump();
  // A real classification gets its answer meanwhile, and health still answers.
  const auto [classified, took] = timed([&] { return post_file(c, *clip_, clip_name_); });
  ASSERT_TRUE(classified) << httplib::to_string(classified.error());
  EXPECT_EQ(classified->status, 200) << classified->body;
  EXPECT_LT(took, kPrompt);
  const httplib::Result after = c.Get("/api/health");
  ASSERT_TRUE(after) << httplib::to_string(after.error());
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServeTest, CorsHeadersOnlyWhenAnOriginIsConfigured) {
  httplib::Client plain = server_->client();
  const httplib::Result no_cors = plain.Get("/api/health");
  ASSERT_TRUE(no_cors);
  EXPECT_FALSE(no_cors->has_header("Access-Control-Allow-Origin"));
  expect_error(plain.Options("/api/classify"), 405, "not allowed");

  ServeOptions options;
  options.cors_origin = "https://example.org";
  const RunningServer cors(*model_, options);
  httplib::Client c = cors.client();
  const httplib::Result preflight = c.Options("/api/classify");
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"), "https://example.org");
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Methods"), "POST, OPTIONS");
  const httplib::Result health = c.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->get_header_value("Access-Control-Allow-Origin"), "https://example.org");
}

TEST_F(ServeTest, APortInUseIsAnErrorNotASharedPort) {
  ServeOptions options;
  options.port = server_->port();
  HttpServer second(*model_, options);
  EXPECT_THROW(second.bind(), audify::Error);
}

TEST_F(ServeTest, HealthModelAndPage) {
  httplib::Client c = server_->client();
  const json health = parse(c.Get("/api/health"));
  EXPECT_EQ(health.at("status"), "ok");
  EXPECT_EQ(health.at("model"), model_->id());
  EXPECT_EQ(health.at("max_concurrent"), 2);
  EXPECT_EQ(health.at("max_uploads"), 8);
  EXPECT_EQ(health.at("in_flight"), 0);
  EXPECT_EQ(health.at("uploads"), 0);

  const json m = parse(c.Get("/api/model"));
  EXPECT_EQ(m.at("model"), model_->id());
  EXPECT_EQ(m.at("kind"), "mlp");
  EXPECT_EQ(m.at("classes").get<std::vector<std::string>>(), model_->class_names());
  EXPECT_EQ(m.at("features").at("n_mfcc").get<int>(), model_->features().mfcc.n_mfcc);
  EXPECT_EQ(m.at("feature_count").get<std::size_t>(), model_->feature_count());
  EXPECT_EQ(m.at("config").at("model").at("hidden"), json::array({32}));
  EXPECT_FALSE(m.dump().find(run_.string()) != std::string::npos) << "server paths stay private";

  const httplib::Result page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  EXPECT_NE(page->body.find("<canvas id=\"mel\""), std::string::npos);
  EXPECT_EQ(page->body.find("http://"), std::string::npos) << "no external assets";
  EXPECT_EQ(page->body.find("https://"), std::string::npos) << "no external assets";
}

}  // namespace
}  // namespace audify
