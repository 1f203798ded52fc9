// Decoding (every libsndfile format the dataset and users bring), mixing to mono, and the errors
// bad files must produce.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "audio/load.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "test_support.h"

namespace audify {
namespace {

// Writes `frames` frames of a stereo-or-mono test signal: channel c holds (c+1) * 0.25 * sin.
std::filesystem::path write_test_file(const std::filesystem::path& path, int format, int channels,
                                      int rate, int frames) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  EXPECT_NE(f, nullptr) << sf_strerror(nullptr);
  std::vector<float> buf(static_cast<std::size_t>(frames * channels));
  for (int t = 0; t < frames; ++t)
    for (int c = 0; c < channels; ++c)
      buf[static_cast<std::size_t>(t * channels + c)] =
          static_cast<float>((c + 1) * 0.25 * std::sin(2 * M_PI * 440.0 * t / rate));
  sf_writef_float(f, buf.data(), frames);
  sf_close(f);
  return path;
}

float expected_mono(int t, int channels, int rate) {
  double sum = 0;
  for (int c = 0; c < channels; ++c) sum += (c + 1) * 0.25 * std::sin(2 * M_PI * 440.0 * t / rate);
  return static_cast<float>(sum / channels);
}

struct FormatCase {
  const char* name;
  int format;
  double tolerance;  // quantisation of the format
};

class DecodeFormats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(DecodeFormats, DecodesAndMixesToMono) {
  const FormatCase& fc = GetParam();
  test::TempDir dir("decode");
  for (int channels : {1, 2, 3}) {
    const auto path = write_test_file(dir.path() / fmt::format("x{}.{}", channels, fc.name),
                                      fc.format, channels, 44100, 4410);
    const Audio a = decode_audio(path);
    ASSERT_EQ(a.sample_rate, 44100);
    ASSERT_EQ(a.samples.size(), 4410u);
    double worst = 0;
    for (int t = 0; t < 4410; ++t)
      worst = std::max(worst, std::abs(double(a.samples[t]) - expected_mono(t, channels, 44100)));
    EXPECT_LT(worst, fc.tolerance) << fc.name << " channels=" << channels;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Formats, DecodeFormats,
    ::testing::Values(FormatCase{"u8.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1.0 / 64},
                      FormatCase{"s16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1e-4},
                      FormatCase{"s24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1e-6},
                      FormatCase{"s32.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1e-7},
                      FormatCase{"f32.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1e-7},
                      FormatCase{"f64.wav", SF_FORMAT_WAV | SF_FORMAT_DOUBLE, 1e-7},
                      FormatCase{"ext24.wav", SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, 1e-6},
                      FormatCase{"s16.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1e-4},
                      FormatCase{"q.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0.05}),
    [](const auto& param_info) {
      std::string n = param_info.param.name;
      for (char& c : n)
        if (c == '.') c = '_';
      return n;
    });

TEST(Decode, EightBitUnsignedIsOffsetBy128) {
  // librosa (through libsndfile) maps unsigned byte b to (b - 128) / 128.
  test::TempDir dir("u8");
  const auto path = dir.path() / "raw.wav";
  SF_INFO info{};
  info.samplerate = 11025;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_U8;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  const short values[] = {-32768, 0, 16384};  // bytes 0, 128, 192
  sf_writef_short(f, values, 3);
  sf_close(f);
  const Audio a = decode_audio(path);
  ASSERT_EQ(a.samples.size(), 3u);
  EXPECT_FLOAT_EQ(a.samples[0], -1.0f);
  EXPECT_FLOAT_EQ(a.samples[1], 0.0f);
  EXPECT_FLOAT_EQ(a.samples[2], 0.5f);
}

TEST(Decode, MemoryMatchesFile) {
  test::TempDir dir("mem");
  const auto path =
      write_test_file(dir.path() / "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 48000, 1000);
  const std::string bytes = read_file(path);
  const Audio from_file = decode_audio(path);
  const Audio from_memory = decode_audio_memory(
      {reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()}, "upload.wav");
  EXPECT_EQ(from_file.samples, from_memory.samples);
  EXPECT_EQ(from_memory.sample_rate, 48000);
}

// Every bad input is an audify::Error whose message names the file and the problem.
void expect_error(const std::filesystem::path& path, const std::string& problem) {
  try {
    decode_audio(path);
    ADD_FAILURE() << path << ": expected an error mentioning '" << problem << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(problem), std::string::npos) << msg;
  }
}

TEST(DecodeErrors, NameTheFileAndTheProblem) {
  test::TempDir dir("bad");
  expect_error(dir.path() / "missing.wav", "not found");
  write_file_atomic(dir.path() / "empty.wav", "");
  expect_error(dir.path() / "empty.wav", "empty");
  write_file_atomic(dir.path() / "text.wav", "this is not audio, just some text in a file");
  expect_error(dir.path() / "text.wav", "not a readable audio file");
  expect_error(dir.path(), "folder");

  // A WAV header with no data frames.
  write_test_file(dir.path() / "zero.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 22050, 0);
  expect_error(dir.path() / "zero.wav", "no audio samples");

  // A float WAV holding NaN and Inf.
  const auto nan_path = dir.path() / "nan.wav";
  SF_INFO info{};
  info.samplerate = 22050;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(nan_path.c_str(), SFM_WRITE, &info);
  const float values[] = {0.1f, std::numeric_limits<float>::quiet_NaN(), 0.2f};
  sf_writef_float(f, values, 3);
  sf_close(f);
  expect_error(nan_path, "NaN");
}

TEST(DecodeErrors, TruncatedFileIsReported) {
  test::TempDir dir("trunc");
  const auto path =
      write_test_file(dir.path() / "full.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 44100, 44100);
  std::string bytes = read_file(path);
  write_file_atomic(dir.path() / "cut.wav", std::string_view(bytes).substr(0, bytes.size() / 2));
  expect_error(dir.path() / "cut.wav", "truncated");
  write_file_atomic(dir.path() / "header_only.wav", std::string_view(bytes).substr(0, 30));
  EXPECT_THROW(decode_audio(dir.path() / "header_only.wav"), Error);
}

TEST(Decode, RealDatasetFormats) {
  const auto audio = test::shared_path("data/urbansound8k-sample/audio");
  if (!audio) GTEST_SKIP() << "shared UrbanSound8K sample not present";
  // 8-bit unsigned 11025 Hz, 24-bit WAVE_FORMAT_EXTENSIBLE, 16-bit stereo 48 kHz, 16-bit mono.
  for (const char* name :
       {"fold1/40722-8-0-0.wav", "fold1/46669-4-0-0.wav", "fold5/100032-3-0-0.wav"}) {
    const Audio a = decode_audio(*audio / name);
    EXPECT_GT(a.samples.size(), 1000u) << name;
    EXPECT_GT(a.sample_rate, 0) << name;
  }
}

}  // namespace
}  // namespace audify
