// Answers the model should not give: digital silence and a 4 ms clip are answered "silent" and
// "too short to classify" by one check (audio/clip_screen.h) in classify, serve's JSON API and
// monitor, with the limits configurable; classify shares serve's duration limit; monitor --raw
// bounds its rate and warns about a stream decoded in the wrong format.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "audio/audio_formats.h"
#include "audio/clip_screen.h"
#include "audio/decode.h"
#include "core/atomic_file.h"
#include "data/wav_writer.h"
#include "serve/api_error.h"
#include "serve/classify_api.h"
#include "serve/trained_model.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kRate = 22050;

std::vector<float> tone(double amplitude, double seconds, int rate = kRate) {
  std::vector<float> x(static_cast<std::size_t>(std::llround(seconds * rate)));
  for (std::size_t t = 0; t < x.size(); ++t)
    x[t] = static_cast<float>(
        amplitude * std::sin(2 * std::numbers::pi * 440.0 * static_cast<double>(t) / rate));
  return x;
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

TEST(ClipScreen, SilenceAndShortClipsAreNotClassified) {
  const AudioLimits limits;
  const ClipScreen silent = screen_clip(std::vector<float>(kRate, 0.0f), kRate, limits);
  EXPECT_EQ(silent.verdict, ClipVerdict::silent);
  EXPECT_NE(silent.message.find("below the -60 dBFS floor (--silence-dbfs)"), std::string::npos)
      << silent.message;
  // -70 dBFS is silent, -50 dBFS is not (a sine's level: 20 log10(amplitude)).
  EXPECT_EQ(screen_clip(tone(std::pow(10.0, -70 / 20.0), 1.0), kRate, limits).verdict,
            ClipVerdict::silent);
  EXPECT_EQ(screen_clip(tone(std::pow(10.0, -50 / 20.0), 1.0), kRate, limits).verdict,
            ClipVerdict::classified);
  const ClipScreen blip = screen_clip(tone(0.5, 0.004), kRate, limits);
  EXPECT_EQ(blip.verdict, ClipVerdict::too_short);
  EXPECT_NE(blip.message.find("too short to classify"), std::string::npos) << blip.message;
  EXPECT_NE(blip.message.find("0.25 s minimum (--min-seconds)"), std::string::npos);
  AudioLimits lenient;
  lenient.min_seconds = 0.001;
  lenient.silence_dbfs = -200;
  EXPECT_EQ(screen_clip(tone(0.5, 0.004), kRate, lenient).verdict, ClipVerdict::classified);
  EXPECT_EQ(screen_clip(std::vector<float>(kRate, 0.0f), kRate, lenient).verdict,
            ClipVerdict::classified);
}

// Bytes of `samples` as float32, read back as 16-bit integers: what `--format s16le` makes of an
// f32 stream.
std::vector<float> f32_read_as_s16(const std::vector<float>& samples) {
  std::vector<float> out(samples.size() * 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::int16_t v;
    std::memcpy(&v, reinterpret_cast<const char*>(samples.data()) + 2 * i, 2);
    out[i] = static_cast<float>(v) / 32768.0f;
  }
  return out;
}

// 16-bit samples read as unsigned 8-bit: the high bytes of a quiet signal sit at 0 or 255.
std::vector<float> s16_read_as_u8(const std::vector<float>& samples) {
  std::vector<float> out;
  for (const float x : samples) {
    const auto v = static_cast<std::uint16_t>(static_cast<std::int16_t>(x * 32767));
    out.push_back((static_cast<float>(v & 0xFF) - 128) / 128.0f);
    out.push_back((static_cast<float>(v >> 8) - 128) / 128.0f);
  }
  return out;
}

TEST(ImplausibleSignal, WrongSampleFormatsAreFlaggedAndSoundIsNot) {
  std::vector<float> sound = tone(0.1, 1.0);
  for (std::size_t t = 0; t < sound.size(); ++t)  // a little noise on the tone
    sound[t] += 0.01f * static_cast<float>((t * 7919) % 101) / 101.0f;
  EXPECT_FALSE(implausible_signal(sound)) << *implausible_signal(sound);
  EXPECT_FALSE(implausible_signal(tone(0.9, 1.0)));  // loud but correlated
  const auto as_s16 = implausible_signal(f32_read_as_s16(sound));
  ASSERT_TRUE(as_s16);
  EXPECT_NE(as_s16->find("is the declared format right?"), std::string::npos) << *as_s16;
  const auto as_u8 = implausible_signal(s16_read_as_u8(sound));
  ASSERT_TRUE(as_u8);
  EXPECT_NE(as_u8->find("at full scale"), std::string::npos) << *as_u8;
}

TEST(ImplausibleSignal, RealRecordingsAreNotFlagged) {
  const auto sample = test::shared_path("data/urbansound8k-sample/audio");
  if (!sample) GTEST_SKIP() << "no shared UrbanSound8K sample";
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(*sample)) {
    if (!e.is_regular_file()) continue;
    Audio audio;
    try {
      audio = decode_audio(e.path());
    } catch (const Error&) {
      continue;  // the sample keeps some broken files on purpose
    }
    const auto why = implausible_signal(audio.samples);
    EXPECT_FALSE(why) << e.path() << ": " << *why;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(AudioFormats, TheCommonFormatsLibsndfileReadsHereAreListed) {
  const std::vector<std::string> formats = readable_audio_formats();
  for (const char* f : {"WAV", "FLAC", "Ogg Vorbis"})
    EXPECT_NE(std::find(formats.begin(), formats.end(), f), formats.end()) << f;
  EXPECT_NE(readable_audio_formats_text().find(" or "), std::string::npos);
}

// A trained model, and the commands on silence, a blip and a long file.
class AnswerLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("answer_limits");
    test::write_mfcc_mean_table(dir_->path() / "t.csv");
    std::string out;
    ASSERT_EQ(audify("run -q data.features=" + quoted(dir_->path() / "t.csv") +
                         " output_root=" + quoted(dir_->path() / "runs") + " train.epochs=2",
                     &out),
              0)
        << out;
    for (const auto& e : fs::directory_iterator(dir_->path() / "runs" / "default")) run_ = e.path();
    write_wav_atomic(path("silence.wav"), std::vector<float>(kRate * 2, 0.0f),
                     {kRate, 1, WavSample::kPcm16});
    write_wav_atomic(path("blip.wav"), tone(0.5, 0.004), {kRate, 1, WavSample::kPcm16});
    write_wav_atomic(path("tone.wav"), tone(0.3, 1.0), {kRate, 1, WavSample::kPcm16});
    write_wav_atomic(path("long.wav"), tone(0.3, 60.0, 8000), {8000, 1, WavSample::kPcm16});
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path path(const std::string& name) { return dir_->path() / name; }
  // In a subshell, so that a `2>/dev/null` in `args` keeps stderr out of `out`.
  static int audify(const std::string& args, std::string* out) {
    return test::run_command("(AUDIFY_CACHE_DIR=" + quoted(dir_->path() / "cache") + " " +
                                 quoted(test::audify_binary()) + " " + args + ")",
                             out);
  }
  static std::string classify(const std::string& args) {
    return "classify --model " + quoted(run_) + " " + args;
  }
  static test::TempDir* dir_;
  static fs::path run_;
};

test::TempDir* AnswerLimits::dir_ = nullptr;
fs::path AnswerLimits::run_;

TEST_F(AnswerLimits, ClassifySaysSilentAndTooShortInsteadOfAClass) {
  std::string out;
  ASSERT_EQ(audify(classify(quoted(path("silence.wav")) + " " + quoted(path("blip.wav")) + " " +
                            quoted(path("tone.wav"))),
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("silence.wav\n  silent: -150.0 dBFS RMS"), std::string::npos) << out;
  EXPECT_NE(out.find("blip.wav\n  too short to classify: 0.004 s"), std::string::npos) << out;
  EXPECT_NE(out.find("tone.wav\n  1. "), std::string::npos) << out;
  ASSERT_EQ(audify(classify("--json " + quoted(path("silence.wav")) + " 2>/dev/null"), &out), 0);
  const json j = json::parse(out);
  EXPECT_EQ(j.at(0).at("verdict"), "silent");
  EXPECT_FALSE(j.at(0).contains("top"));
  // The limits are flags: with a floor under the level floor, silence is classified.
  ASSERT_EQ(audify(classify("--silence-dbfs -200 --min-seconds 0.001 " +
                            quoted(path("silence.wav")) + " " + quoted(path("blip.wav"))),
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("silence.wav\n  1. "), std::string::npos) << out;
  EXPECT_NE(out.find("blip.wav\n  1. "), std::string::npos) << out;
}

// One limit for one clip, in classify and serve alike (audio/audio_limits.h): a 60 s recording is
// refused by both naming it, classify pointing at monitor's windows, and the flag lifts it.
TEST_F(AnswerLimits, ClassifyRefusesAFileOverServesDurationLimit) {
  std::string out;
  EXPECT_EQ(audify(classify(quoted(path("long.wav"))), &out), 1) << out;
  const std::string refused =
      "long.wav: too long: 60.0 s of audio, the limit is 30 s (--max-seconds)";
  EXPECT_NE(out.find(refused + "; `audify monitor` classifies a long recording window by window"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("long.wav: too long"), out.rfind("long.wav: too long")) << out;  // once

  const auto model = TrainedModel::load(run_);
  const std::string bytes = read_file(path("long.wav"));
  try {
    classify_upload(*model, std::as_bytes(std::span(bytes.data(), bytes.size())), "long.wav",
                    UploadLimits{});
    ADD_FAILURE() << "serve classified a 60 s upload";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 422);
    EXPECT_NE(std::string(e.what()).find(refused), std::string::npos) << e.what();
  }

  ASSERT_EQ(audify(classify("--max-seconds 61 " + quoted(path("long.wav"))), &out), 0) << out;
  EXPECT_NE(out.find("long.wav\n  1. "), std::string::npos) << out;
}

TEST_F(AnswerLimits, ServeApiAnswersSilentWithoutAClass) {
  const auto model = TrainedModel::load(run_);
  const std::string silence = read_file(path("silence.wav"));
  const json j = classify_upload(*model, std::as_bytes(std::span(silence.data(), silence.size())),
                                 "silence.wav", AudioLimits{});
  EXPECT_EQ(j.at("verdict"), "silent");
  EXPECT_TRUE(j.at("predicted").is_null());
  EXPECT_TRUE(j.at("probabilities").empty());
  EXPECT_NE(j.at("message").get<std::string>().find("silent"), std::string::npos);
  EXPECT_TRUE(j.at("mel").is_null());
  EXPECT_EQ(j.at("waveform").at("columns").get<int>() > 0, true);
  const std::string blip = read_file(path("blip.wav"));
  EXPECT_EQ(classify_upload(*model, std::as_bytes(std::span(blip.data(), blip.size())), "blip.wav",
                            AudioLimits{}, false)
                .at("verdict"),
            "too_short");
  const std::string sound = read_file(path("tone.wav"));
  const json ok = classify_upload(*model, std::as_bytes(std::span(sound.data(), sound.size())),
                                  "tone.wav", AudioLimits{});
  EXPECT_EQ(ok.at("verdict"), "classified");
  EXPECT_GT(ok.at("mel").at("fmax_hz").get<double>(), 0);
  EXPECT_FALSE(model_summary(*model).at("formats").empty());
}

TEST_F(AnswerLimits, MonitorReportsSilentWindows) {
  std::string out;
  ASSERT_EQ(audify("monitor --model " + quoted(run_) + " --json " + quoted(path("silence.wav")) +
                       " --window 1 --hop 1 2>/dev/null",
                   &out),
            0)
      << out;
  std::istringstream lines(out);
  int windows = 0;
  for (std::string line; std::getline(lines, line); ++windows) {
    const json j = json::parse(line);
    EXPECT_EQ(j.at("verdict"), "silent") << line;
    EXPECT_TRUE(j.at("class").is_null()) << line;
    EXPECT_FALSE(j.at("alert").get<bool>());
  }
  EXPECT_EQ(windows, 2);
  ASSERT_EQ(
      audify("monitor --model " + quoted(run_) + " " + quoted(path("silence.wav")) + " --window 1",
             &out),
      0);
  EXPECT_NE(out.find("(silent)"), std::string::npos) << out;
}

TEST_F(AnswerLimits, MonitorRawBoundsTheRateAndWarnsAboutTheWrongFormat) {
  std::string out;
  EXPECT_EQ(audify("monitor --model " + quoted(run_) + " --raw --rate 1 - < /dev/null", &out), 2);
  EXPECT_NE(out.find("--rate 1: a PCM stream's sample rate must be in [750, 384000] Hz"),
            std::string::npos)
      << out;
  // A float32 stream declared s16le: decoded, but the monitor says it does not look like audio.
  std::vector<float> sound = tone(0.1, 4.0);
  const std::string f32(reinterpret_cast<const char*>(sound.data()), sound.size() * 4);
  write_file_atomic(path("f32.raw"), f32);
  ASSERT_EQ(audify("monitor --model " + quoted(run_) + " --raw --rate 44100 --format s16le - < " +
                       quoted(path("f32.raw")),
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("is the declared format right?"), std::string::npos) << out;
  // The same bytes declared f32le are audio, and nothing is said.
  ASSERT_EQ(audify("monitor --model " + quoted(run_) + " --raw --rate 22050 --format f32le - < " +
                       quoted(path("f32.raw")),
                   &out),
            0)
      << out;
  EXPECT_EQ(out.find("declared format"), std::string::npos) << out;
}

}  // namespace
}  // namespace audify
