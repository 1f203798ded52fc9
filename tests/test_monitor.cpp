// `audify monitor`: the A-weighted level against the IEC 61672-1 table (pure sines through the
// level meter), a long recording of known segments labelled segment by segment, and the CLI on real
// pipes: WAV (with known and unknown lengths) and raw PCM on stdin, a stream ending mid-window or
// stalling, streams in the wrong format, alerts and JSON lines.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "audio/a_weighting.h"
#include "audio/load.h"
#include "core/atomic_file.h"
#include "data/urbansound8k.h"
#include "data/wav_writer.h"
#include "serve/monitor.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kRate = 44100;

std::vector<float> sine(double frequency, double amplitude, double seconds, int rate) {
  std::vector<float> x(static_cast<std::size_t>(std::llround(seconds * rate)));
  for (std::size_t t = 0; t < x.size(); ++t)
    x[t] = static_cast<float>(
        amplitude * std::sin(2 * std::numbers::pi * frequency * static_cast<double>(t) / rate));
  return x;
}

// ---- A-weighting ------------------------------------------------------------------------------

// IEC 61672-1:2013 table 3, A-weighting in dB. The table's frequencies are exact base-10 ones,
// 1000 * 10^(n/10) Hz, labelled with nominal values (31.5 Hz is 31.62 Hz, 16 kHz is 15.85 kHz).
const std::map<int, double> kIecTable = {{-15, -39.4}, {-12, -26.2}, {-10, -19.1}, {-9, -16.1},
                                         {-6, -8.6},   {-3, -3.2},   {0, 0.0},     {3, 1.2},
                                         {6, 1.0},     {9, -1.1},    {10, -2.5},   {12, -6.6}};
double table_frequency(int n) {
  return 1000.0 * std::pow(10.0, n / 10.0);
}

TEST(AWeighting, SinesThroughTheLevelMeterMatchTheIecTable) {
  for (const int rate : {44100, 48000}) {
    const LevelMeter meter(rate, static_cast<std::size_t>(4 * rate));
    for (const auto& [n, expected] : kIecTable) {
      const double frequency = table_frequency(n);
      const SoundLevel level = meter.measure(sine(frequency, 0.5, 4.0, rate));
      EXPECT_NEAR(level.dbfs, 20 * std::log10(0.5), 0.01) << frequency << " Hz at " << rate;
      EXPECT_NEAR(level.dbfs_a - level.dbfs, expected, 0.1) << frequency << " Hz at " << rate;
    }
  }
}

TEST(AWeighting, SinesBetweenFftBinsStillMatch) {
  // 3.3 s at 44.1 kHz: none of these sines completes a whole number of periods in the block.
  const std::size_t n = 145530;
  const LevelMeter meter(kRate, n);
  for (const int table_row : {-10, 0, 10}) {  // 100 Hz, 1 kHz, 10 kHz
    const double f = table_frequency(table_row);
    std::vector<float> x = sine(f + 0.37, 0.25, 3.3, kRate);
    ASSERT_EQ(x.size(), n);
    const SoundLevel level = meter.measure(x);
    EXPECT_NEAR(level.dbfs, 20 * std::log10(0.25), 0.02) << f;
    EXPECT_NEAR(level.dbfs_a - level.dbfs, kIecTable.at(table_row), 0.1) << f;
  }
}

TEST(AWeighting, ConventionsFullScaleSilenceAndDc) {
  EXPECT_NEAR(measure_level(sine(1000, 1.0, 1.0, kRate), kRate).dbfs, 0.0, 1e-3);
  const std::vector<float> silence(kRate, 0.0f);
  EXPECT_EQ(measure_level(silence, kRate).dbfs, kLevelFloorDb);
  EXPECT_EQ(measure_level(silence, kRate).dbfs_a, kLevelFloorDb);
  // A DC offset is loud unweighted and inaudible A-weighted (the curve is 0 at 0 Hz).
  const std::vector<float> dc(kRate, 0.5f);
  const SoundLevel level = measure_level(dc, kRate);
  EXPECT_NEAR(level.dbfs, 20 * std::log10(0.5) + 3.0103, 0.01);
  EXPECT_LT(level.dbfs_a, -100.0);
  EXPECT_NEAR(a_weighting_db(1000), 0.0, 1e-9);
}

// ---- a trained model and a recording of known segments ------------------------------------------

// Classes of the long recording, one 2-clip segment each, in this order.
const std::vector<std::string> kSegmentClasses = {"siren", "dog_bark", "drilling"};

// One suite (so the model is trained once) for everything that needs it.
class MonitorFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("monitor");
    const fs::path synth = dir_->path() / "synth";
    std::string out;
    ASSERT_EQ(audify("synth --out '" + synth.string() + "' --clips-per-class 20", &out), 0) << out;
    const fs::path runs = dir_->path() / "runs";
    ASSERT_EQ(audify("run -q data.root='" + synth.string() + "' output_root='" + runs.string() +
                         "' train.standardize=true train.epochs=150",
                     &out),
              0)
        << out;
    for (const auto& e : fs::directory_iterator(runs / "default")) run_ = e.path();
    build_segments(synth);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (run_.empty()) GTEST_SKIP() << "no trained model (the audify binary or training failed)";
  }

  static int audify(const std::string& args, std::string* output) {
    const std::string cmd = "AUDIFY_CACHE_DIR='" + (dir_->path() / "cache").string() + "' '" +
                            test::audify_binary().string() + "' " + args;
    return test::run_command(cmd, output);
  }
  static std::string monitor(const std::string& args) {
    return "monitor --model '" + run_.string() + "' " + args;
  }
  static std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

  // Two consecutive slices of one recording per class, resampled to 44.1 kHz mono and joined.
  static void build_segments(const fs::path& synth) {
    samples_.clear();
    segments_.clear();
    const Dataset data = load_urbansound8k(synth);
    for (const std::string& name : kSegmentClasses) {
      std::map<int, std::vector<ClipInfo>> by_recording;
      for (const ClipInfo& c : data.clips)
        if (c.class_name == name) by_recording[c.fs_id].push_back(c);
      const auto best = std::max_element(
          by_recording.begin(), by_recording.end(),
          [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
      ASSERT_NE(best, by_recording.end()) << name;
      std::vector<ClipInfo> clips = best->second;
      std::sort(clips.begin(), clips.end(),
                [](const ClipInfo& a, const ClipInfo& b) { return a.start < b.start; });
      const double segment_start = static_cast<double>(samples_.size()) / kRate;
      for (std::size_t i = 0; i < std::min<std::size_t>(2, clips.size()); ++i) {
        const Audio a = load_audio(clips[i].path, {kRate, Resampler::soxr_hq});
        samples_.insert(samples_.end(), a.samples.begin(), a.samples.end());
      }
      segments_.push_back({segment_start, static_cast<double>(samples_.size()) / kRate});
    }
    recording_ = dir_->path() / "segments.wav";
    write_wav_atomic(recording_, samples_, {kRate, 1, WavSample::kPcm16});
  }

  // The class a window should get: the segment holding all of it, or "" across a boundary.
  static std::string expected_class(double start, double end) {
    for (std::size_t s = 0; s < segments_.size(); ++s)
      if (start >= segments_[s].first - 1e-6 && end <= segments_[s].second + 1e-6)
        return kSegmentClasses[s];
    return "";
  }

  static std::vector<json> json_lines(const std::string& output) {
    std::vector<json> lines;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line.front() == '{') lines.push_back(json::parse(line));
    return lines;
  }

  static test::TempDir* dir_;
  static fs::path run_, recording_;
  static std::vector<float> samples_;
  static std::vector<std::pair<double, double>> segments_;  // [start, end) seconds
};

test::TempDir* MonitorFixture::dir_ = nullptr;
fs::path MonitorFixture::run_, MonitorFixture::recording_;
std::vector<float> MonitorFixture::samples_;
std::vector<std::pair<double, double>> MonitorFixture::segments_;

// ---- the CLI on real pipes
// -----------------------------------------------------------------------

class MonitorTest : public MonitorFixture {
 protected:
  void SetUp() override {
    MonitorFixture::SetUp();
    if (!fs::exists(test::audify_binary())) GTEST_SKIP() << "no audify binary";
  }
  // Offset of the WAV's data chunk body and the file's bytes.
  static std::pair<std::size_t, std::string> wav_bytes(const fs::path& wav) {
    const std::string bytes = read_file(wav);
    const std::size_t data = bytes.find("data", 12);
    EXPECT_NE(data, std::string::npos);
    return {data + 8, bytes};
  }
  // The recording as a streaming writer sends it: RIFF and data sizes set to `size_field`.
  static fs::path streamed_wav(const fs::path& wav, std::uint32_t size_field) {
    auto [body, bytes] = wav_bytes(wav);
    for (const std::size_t at : {std::size_t{4}, body - 4})
      for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>(size_field >> (8 * i));
    const fs::path out = dir_->path() / ("streamed_" + std::to_string(size_field) + ".wav");
    write_file_atomic(out, bytes);
    return out;
  }
  static fs::path prefix_wav(double seconds) {
    const fs::path out = dir_->path() / "prefix.wav";
    const auto n = static_cast<std::size_t>(seconds * kRate);
    write_wav_atomic(out, std::span(samples_).first(n), {kRate, 1, WavSample::kPcm16});
    return out;
  }
  static std::vector<std::string> classes_of(const std::vector<json>& lines) {
    std::vector<std::string> out;
    for (const json& j : lines) out.push_back(j.at("class").get<std::string>());
    return out;
  }
};

TEST_F(MonitorTest, WavThroughAPipeMatchesTheFileAndPrintsJsonLines) {
  std::string from_file, from_pipe;
  ASSERT_EQ(audify(monitor(quoted(recording_) + " --json"), &from_file), 0) << from_file;
  ASSERT_EQ(audify(monitor("- --json") + " < /dev/null", &from_pipe), 2) << "empty stdin";
  EXPECT_NE(from_pipe.find("empty stream"), std::string::npos) << from_pipe;
  ASSERT_EQ(test::run_command("cat " + quoted(recording_) +
                                  " | AUDIFY_CACHE_DIR=" + quoted(dir_->path() / "cache") + " " +
                                  quoted(test::audify_binary()) + " " + monitor("- --json"),
                              &from_pipe),
            0)
      << from_pipe;
  const std::vector<json> file_lines = json_lines(from_file), pipe_lines = json_lines(from_pipe);
  ASSERT_GE(file_lines.size(), 15u);
  ASSERT_EQ(pipe_lines.size(), file_lines.size());
  for (std::size_t i = 0; i < file_lines.size(); ++i) {
    for (const char* key : {"start", "end", "class", "confidence", "dbfs", "dbfs_a", "alert"})
      ASSERT_TRUE(pipe_lines[i].contains(key)) << key << " in " << pipe_lines[i].dump();
    EXPECT_EQ(pipe_lines[i].at("class"), file_lines[i].at("class")) << i;
    EXPECT_DOUBLE_EQ(pipe_lines[i].at("dbfs").get<double>(),
                     file_lines[i].at("dbfs").get<double>());
    EXPECT_DOUBLE_EQ(pipe_lines[i].at("start").get<double>(), static_cast<double>(i));
    EXPECT_FALSE(pipe_lines[i].contains("dba_spl"));
  }
}

TEST_F(MonitorTest, StreamedWavOfUnknownLengthAndRawPcm) {
  std::string reference, out;
  ASSERT_EQ(audify(monitor(quoted(recording_) + " --json"), &reference), 0) << reference;
  const std::vector<std::string> expected = classes_of(json_lines(reference));
  for (const std::uint32_t size : {0xFFFFFFFFu, 0u}) {
    ASSERT_EQ(audify(monitor("- --json") + " < " + quoted(streamed_wav(recording_, size)), &out), 0)
        << out;
    EXPECT_EQ(classes_of(json_lines(out)), expected) << "data size " << size;
  }
  const auto [body, bytes] = wav_bytes(recording_);
  const fs::path raw = dir_->path() / "recording.s16le";
  write_file_atomic(raw, std::string_view(bytes).substr(body));
  ASSERT_EQ(
      test::run_command("cat " + quoted(raw) + " | " + quoted(test::audify_binary()) + " " +
                            monitor("--raw --rate 44100 --channels 1 --format s16le - --json"),
                        &out),
      0)
      << out;
  EXPECT_EQ(classes_of(json_lines(out)), expected);
  // Stereo raw PCM: the same samples in both channels average back to the mono recording.
  std::string stereo;
  for (std::size_t i = 0; i + 1 < bytes.size() - body; i += 2)
    stereo += bytes.substr(body + i, 2) + bytes.substr(body + i, 2);
  write_file_atomic(raw, stereo);
  ASSERT_EQ(audify(monitor("--raw --rate 44100 --channels 2 - --json") + " < " + quoted(raw), &out),
            0)
      << out;
  EXPECT_EQ(classes_of(json_lines(out)), expected);
}

TEST_F(MonitorTest, AStreamEndingMidWindowGivesTheWindowsSeenSoFar) {
  std::string out;
  ASSERT_EQ(audify(monitor("- --json") + " < " + quoted(prefix_wav(6.5)), &out), 0) << out;
  EXPECT_EQ(json_lines(out).size(), 3u) << out;  // windows at 0, 1 and 2 s
  EXPECT_NE(out.find("the last 0.50 s did not fill a window"), std::string::npos) << out;
  ASSERT_EQ(audify(monitor("- --json --window 8") + " < " + quoted(prefix_wav(6.5)), &out), 0)
      << out;
  EXPECT_EQ(json_lines(out).size(), 0u) << out;
}

TEST_F(MonitorTest, AStalledStreamEndsCleanly) {
  const fs::path wav = streamed_wav(prefix_wav(6.5), 0xFFFFFFFFu);
  std::string out;
  // The writer keeps the pipe open but sends nothing more for 3 s.
  ASSERT_EQ(
      test::run_command("(cat " + quoted(wav) + "; sleep 3) | " + quoted(test::audify_binary()) +
                            " " + monitor("- --json --stall-timeout 0.5"),
                        &out),
      0)
      << out;
  EXPECT_EQ(json_lines(out).size(), 3u) << out;
  EXPECT_NE(out.find("stalled (no data for 0.5 s)"), std::string::npos) << out;
}

TEST_F(MonitorTest, AStreamInAnotherFormatThanDeclaredIsAnError) {
  std::string out;
  EXPECT_EQ(audify(monitor("--raw --rate 44100 -") + " < " + quoted(recording_), &out), 2);
  EXPECT_NE(out.find("--raw was given but the stream starts like a WAV file"), std::string::npos)
      << out;
  const auto [body, bytes] = wav_bytes(recording_);
  const fs::path raw = dir_->path() / "headerless.s16le";
  write_file_atomic(raw, std::string_view(bytes).substr(body));
  EXPECT_EQ(audify(monitor("-") + " < " + quoted(raw), &out), 2);
  EXPECT_NE(out.find("not a WAV stream (starts with bytes"), std::string::npos) << out;
  EXPECT_NE(out.find("--raw"), std::string::npos) << out;
  EXPECT_EQ(audify(monitor("--raw --rate 44100 --format f32le -") + " < " + quoted(raw), &out), 2);
  EXPECT_NE(out.find("not f32le audio"), std::string::npos) << out;
  EXPECT_EQ(audify(monitor("--raw --rate 44100 --format s8 -") + " < " + quoted(raw), &out), 2);
  EXPECT_NE(out.find("unknown PCM format 's8'"), std::string::npos) << out;
  EXPECT_EQ(audify(monitor("--raw -") + " < " + quoted(raw), &out), 2);
  EXPECT_NE(out.find("--raw needs --rate"), std::string::npos) << out;
}

TEST_F(MonitorTest, AlertsMarkTheirWindowsAndUnknownClassesAreListed) {
  std::string out;
  ASSERT_EQ(
      audify(monitor(quoted(recording_) + " --json --alert siren,gun_shot --threshold 0.5"), &out),
      0)
      << out;
  int siren_alerts = 0, siren_windows = 0;
  for (const json& j : json_lines(out)) {
    const std::string expected =
        expected_class(j.at("start").get<double>(), j.at("end").get<double>());
    if (j.at("alert").get<bool>()) {
      EXPECT_TRUE(j.at("alert_class") == "siren" || j.at("alert_class") == "gun_shot");
      EXPECT_NE(expected, "dog_bark") << j.dump();
    }
    if (expected == "siren") {
      ++siren_windows;
      siren_alerts += j.at("alert").get<bool>();
    }
  }
  EXPECT_GE(siren_alerts, siren_windows - 1);
  ASSERT_EQ(audify(monitor(quoted(recording_) + " --alert siren --threshold 0.5"), &out), 0);
  EXPECT_NE(out.find("ALERT siren"), std::string::npos) << out;

  EXPECT_EQ(audify(monitor(quoted(recording_) + " --alert siren,helicopter"), &out), 2);
  EXPECT_NE(out.find("unknown class 'helicopter'"), std::string::npos) << out;
  EXPECT_NE(out.find("dog_bark"), std::string::npos) << out;  // the valid names are listed
}

TEST_F(MonitorTest, LevelsAndCalibrationThroughTheCli) {
  // 5 s of a 100 Hz sine at -20 dBFS as raw float PCM: 2 windows.
  const std::vector<float> x = sine(100, 0.1, 5.0, kRate);
  const fs::path raw = dir_->path() / "sine.f32le";
  write_file_atomic(
      raw, std::string_view(reinterpret_cast<const char*>(x.data()), x.size() * sizeof(float)));
  std::string out;
  ASSERT_EQ(audify(monitor("--raw --rate 44100 --format f32le --calibration 94 - --json") + " < " +
                       quoted(raw),
                   &out),
            0)
      << out;
  const std::vector<json> lines = json_lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  for (const json& j : lines) {
    EXPECT_NEAR(j.at("dbfs").get<double>(), -20.0, 0.02);
    EXPECT_NEAR(j.at("dbfs_a").get<double>(), -20.0 - 19.1, 0.1);
    EXPECT_NEAR(j.at("dba_spl").get<double>(), j.at("dbfs_a").get<double>() + 94.0, 0.011);
  }
  ASSERT_EQ(
      audify(monitor("--raw --rate 44100 --format f32le --calibration 94 -") + " < " + quoted(raw),
             &out),
      0);
  EXPECT_NE(out.find("dB(A) SPL"), std::string::npos) << out;
  EXPECT_NE(out.find("-20.0 dBFS"), std::string::npos) << out;
}

TEST_F(MonitorTest, LabelsEachSegmentOfALongRecording) {
  const std::unique_ptr<TrainedModel> model = TrainedModel::load(run_);
  const std::unique_ptr<AudioStream> stream = open_file_stream(recording_);
  std::vector<WindowResult> windows;
  const MonitorSummary summary = run_monitor(*stream, *model, MonitorOptions{},
                                             [&](const WindowResult& w) { windows.push_back(w); });
  const double total = static_cast<double>(samples_.size()) / kRate;
  ASSERT_EQ(summary.windows, static_cast<int>(std::floor(total - 4.0 + 1e-9)) + 1);
  ASSERT_EQ(windows.size(), static_cast<std::size_t>(summary.windows));
  EXPECT_EQ(summary.end, StreamEnd::end_of_data);
  std::map<std::string, std::pair<int, int>> right_of;  // class -> (right, windows inside)
  for (const WindowResult& w : windows) {
    const std::string expected = expected_class(w.start_seconds, w.end_seconds);
    EXPECT_NEAR(w.end_seconds - w.start_seconds, 4.0, 1e-9);
    if (expected.empty()) continue;
    auto& [right, inside] = right_of[expected];
    ++inside;
    right += model->class_names()[static_cast<std::size_t>(w.classification.predicted)] == expected;
  }
  for (const std::string& name : kSegmentClasses) {
    const auto [right, inside] = right_of[name];
    EXPECT_GE(inside, 4) << name;
    // A small tolerance: one window per segment may go astray.
    EXPECT_GE(right, inside - 1) << name << ": " << right << " of " << inside;
  }
}

}  // namespace
}  // namespace audify
