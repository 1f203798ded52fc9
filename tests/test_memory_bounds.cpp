// The memory bound on decoding, through the CLI under an address-space limit (prlimit --as): a
// 2 GB sparse file, a header declaring hours, /dev/zero and a clip too short to resample, given to
// `audify extract`, `audify classify` and `audify serve`, each get a clear error naming the file
// within seconds, the other files go on, and the server stays small and up.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "data/wav_writer.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

// 2 GiB of address space: below what reading a 2 GB file or /dev/zero whole takes, above what
// audify needs for one clip (~1.1 GB mapped at start with the CUDA libraries, plus OpenBLAS's
// 128 MB buffers, which it retries forever when they do not fit). In bytes: this prlimit
// mis-parses suffixes such as "2G".
constexpr const char* kAddressSpaceLimit = "2147483648";
constexpr double kWallLimitSeconds = 20;  // on a loaded 2-core CI machine; each takes < 1 s

std::string shell_quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

class MemoryBounds : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test::run_command("command -v prlimit") != 0) return;
    dir_ = new test::TempDir("memory_bounds");
    const fs::path d = dir_->path();
    std::vector<float> tone(22050);
    for (std::size_t t = 0; t < tone.size(); ++t)
      tone[t] = 0.3f * static_cast<float>(std::sin(2 * M_PI * 440.0 * t / 22050));
    write_wav_atomic(d / "a.wav", tone, {22050, 1, WavSample::kPcm16});
    write_wav_atomic(d / "c.wav", tone, {22050, 1, WavSample::kPcm16});
    write_wav_atomic(d / "one_sample.wav", std::vector<float>{0.5f}, {44100, 1, WavSample::kPcm16});
    write_file_atomic(d / "sparse.wav", "");
    fs::resize_file(d / "sparse.wav", std::uintmax_t{2} << 30);
    write_file_atomic(d / "declared.wav", test::wav_header(44100, 2, 0x7FFFFF00u));
    fs::resize_file(d / "declared.wav", 44 + std::uintmax_t{0x7FFFFF00u});

    const std::string env = "AUDIFY_CACHE_DIR=" + shell_quoted(d / "cache") + " " +
                            shell_quoted(test::audify_binary()) + " ";
    std::string out;
    ASSERT_EQ(test::run_command(
                  env + "synth --out " + shell_quoted(d / "synth") + " --clips-per-class 2", &out),
              0)
        << out;
    ASSERT_EQ(test::run_command(env + "run -q data.root=" + shell_quoted(d / "synth") +
                                    " output_root=" + shell_quoted(d / "runs") +
                                    " train.epochs=1 model.hidden=[8]",
                                &out),
              0)
        << out;
    for (const auto& e : fs::directory_iterator(d / "runs" / "default")) run_ = e.path();
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "prlimit (util-linux) is not installed";
  }

  // `audify ARGS` under the address-space limit, with one BLAS thread and two malloc arenas (whose
  // reservations would otherwise scale the baseline with the core count).
  static std::string under_limit(const std::string& args) {
    return std::string(
               "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MALLOC_ARENA_MAX=2 prlimit --as=") +
           kAddressSpaceLimit + " " + shell_quoted(test::audify_binary()) + " " + args;
  }
  // The same in the test's folder, with a wall-clock bound.
  static std::string limited(const std::string& args) {
    return "cd " + shell_quoted(dir_->path()) + " && timeout " +
           std::to_string(static_cast<int>(2 * kWallLimitSeconds)) + " env " + under_limit(args);
  }
  // Runs `command`, returns its exit status and output and checks it took seconds, not minutes.
  static int timed(const std::string& command, std::string* out) {
    const auto start = std::chrono::steady_clock::now();
    const int status = test::run_command(command, out);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, kWallLimitSeconds) << command << "\n" << *out;
    return status;
  }

  static test::TempDir* dir_;
  static fs::path run_;
};

test::TempDir* MemoryBounds::dir_ = nullptr;
fs::path MemoryBounds::run_;

void expect_says(const std::string& out, const std::string& what) {
  EXPECT_NE(out.find(what), std::string::npos) << "expected '" << what << "' in:\n" << out;
}

// Each bad input's error, as both commands list it.
void expect_each_bad_file_named(const std::string& out) {
  expect_says(out, "sparse.wav: not a readable audio file");
  expect_says(out, "declared.wav: too long: 12173.9 s of audio, the limit is 30 s");
  expect_says(out, "/dev/zero: not a readable audio file");
}

TEST_F(MemoryBounds, ExtractRefusesEachBadFileAndExtractsTheRest) {
  std::string out;
  const int status = timed(limited("extract --no-cache -j 2 --files a.wav sparse.wav declared.wav "
                                   "/dev/zero one_sample.wav c.wav --out features.csv"),
                           &out);
  EXPECT_EQ(status, 1) << out;
  expect_says(out, "extracted 2 of 6 clips");
  expect_says(out, "4 file(s) failed");
  expect_each_bad_file_named(out);
  expect_says(out, "one_sample.wav: resample: input of 1 samples is too short");
  EXPECT_TRUE(fs::exists(dir_->path() / "features.csv"));
}

TEST_F(MemoryBounds, ClassifyGoesOnPastABadFile) {
  std::string out;
  const int status = timed(limited("classify --model " + shell_quoted(run_) +
                                   " a.wav sparse.wav one_sample.wav declared.wav /dev/zero c.wav"),
                           &out);
  EXPECT_EQ(status, 1) << out;
  expect_says(out, "a.wav\n  1. ");
  expect_says(out, "c.wav\n  1. ");  // after the bad ones
  expect_says(out, "3 of 6 file(s) failed");
  expect_each_bad_file_named(out);
  // One sample is an answer, not a failure: too short to classify (audio/clip_screen.h).
  expect_says(out, "one_sample.wav\n  too short to classify");

  const int json_status = timed(
      limited("classify --json --model " + shell_quoted(run_) + " sparse.wav c.wav 2>/dev/null"),
      &out);
  EXPECT_EQ(json_status, 1) << out;
  expect_says(out, "\"error\": \"sparse.wav: not a readable audio file");
  expect_says(out, "\"file\": \"c.wav\",\n    \"top\"");
}

// A field of /proc/PID/status ("VmHWM:", "State:"), empty when the process is gone.
std::string proc_status(int pid, const std::string& key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string word, value;
  while (status >> word)
    if (word == key && status >> value) return value;
  return "";
}

TEST_F(MemoryBounds, ServeRefusesHugeUploadsWithoutGrowing) {
  const fs::path d = dir_->path();
  // Ten minutes of FLAC silence: a few kB that would decode to 4.8 M samples.
  {
    SF_INFO info{};
    info.samplerate = 8000;
    info.channels = 1;
    info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    SNDFILE* f = sf_open((d / "silence.flac").c_str(), SFM_WRITE, &info);
    ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
    const std::vector<short> zeros(8000 * 600, 0);
    sf_writef_short(f, zeros.data(), static_cast<sf_count_t>(zeros.size()));
    sf_close(f);
  }
  const fs::path log = d / "serve.log", pid_file = d / "serve.pid";
  std::string out;
  // exec: the pid that $! names is the server's own, for /proc and kill.
  ASSERT_EQ(test::run_command(
                "(exec env " +
                    under_limit("serve --no-log --port 0 --threads 4 --max-uploads 2 --model " +
                                shell_quoted(fs::absolute(run_))) +
                    " > " + shell_quoted(log) + " 2>&1 < /dev/null) & echo $! > " +
                    shell_quoted(pid_file),
                &out),
            0)
      << out;
  std::string url;
  for (int i = 0; i < 300 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string text = fs::exists(log) ? read_file(log) : "";
    const auto at = text.find("http://");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos)
      url = text.substr(at, text.find_first_of(" \n", at) - at);
  }
  ASSERT_FALSE(url.empty()) << read_file(log);
  const int pid = std::stoi(read_file(pid_file));

  // The HTTP status curl saw (000: the connection closed before an answer).
  const auto post = [&](const std::string& file, const std::string& name) {
    std::string code;
    timed(
        "timeout 30 curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: audio/wav' "
        "-T " +
            shell_quoted(file) + " '" + url + "api/classify?plots=0&name=" + name + "'",
        &code);
    return code;
  };
  // Refused from its Content-Length (httplib still reads the 2 GB to drop them, in seconds).
  EXPECT_EQ(post((d / "sparse.wav").string(), "sparse.wav"), "413");
  const std::string zero = post("/dev/zero", "zero");  // chunked, without end
  EXPECT_TRUE(zero == "413" || zero == "000") << zero;
  EXPECT_EQ(post((d / "silence.flac").string(), "silence.flac"), "422");
  // One sample is a valid clip, answered "too short to classify" (audio/clip_screen.h), not
  // refused.
  EXPECT_EQ(post((d / "one_sample.wav").string(), "one_sample.wav"), "200");
  EXPECT_EQ(post((d / "a.wav").string(), "a.wav"), "200");

  // The peak resident memory: the server as it started plus one clip, not the uploads' sizes.
  const std::string peak_kb = proc_status(pid, "VmHWM:");
  ASSERT_FALSE(peak_kb.empty()) << "the server is gone:\n" << read_file(log);
  EXPECT_LT(std::stol(peak_kb), 400 * 1024) << "the server's peak RSS, kB";
  ::kill(pid, SIGTERM);
  for (int i = 0;
       i < 100 && !proc_status(pid, "State:").empty() && proc_status(pid, "State:") != "Z"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace
}  // namespace audify
