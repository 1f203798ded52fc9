// Decoding (every libsndfile format the dataset and users bring), mixing to mono, and the errors
// bad files must produce.
#include <gtest/gtest.h>
#include <sndfile.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <future>
#include <limits>
#include <thread>

#include "audio/audio_file.h"
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

// The fault and the message of decoding `path` within `limits`.
AudioError decode_fault(const std::filesystem::path& path, const AudioLimits& limits = {}) {
  try {
    decode_audio(path, limits);
  } catch (const AudioError& e) {
    return e;
  }
  ADD_FAILURE() << path << ": expected an AudioError";
  return AudioError(AudioFault::empty, "");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// 2 GB sparse files cost no disk and, read whole as before, 2 GB of memory and seconds of time:
// each is refused from its size and header alone.
TEST(DecodeLimits, HugeFilesAreRefusedFromTheirSizeAndHeader) {
  test::TempDir dir("huge");
  constexpr std::uintmax_t k2GB = std::uintmax_t{2} << 30;
  const auto start = std::chrono::steady_clock::now();

  const auto zeros = dir.path() / "zeros.wav";
  write_file_atomic(zeros, "");
  std::filesystem::resize_file(zeros, k2GB);
  const AudioError not_audio = decode_fault(zeros);
  EXPECT_EQ(not_audio.fault(), AudioFault::not_audio);
  EXPECT_NE(std::string(not_audio.what()).find(zeros.string() + ": not a readable audio file"),
            std::string::npos)
      << not_audio.what();

  // A valid header declaring 2 GB of 44.1 kHz mono: 6.8 hours.
  const auto declared = dir.path() / "declared.wav";
  write_file_atomic(declared, test::wav_header(44100, 1, 0x7FFFFF00u));
  std::filesystem::resize_file(declared, 44 + std::uintmax_t{0x7FFFFF00u});
  const AudioError too_long = decode_fault(declared);
  EXPECT_EQ(too_long.fault(), AudioFault::too_long);
  EXPECT_NE(std::string(too_long.what()).find("too long: 24347.9 s of audio, the limit is 30 s"),
            std::string::npos)
      << too_long.what();

  // A 1 s clip with 2 GB of something else after it.
  const auto padded =
      write_test_file(dir.path() / "padded.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, 8000);
  std::filesystem::resize_file(padded, k2GB);
  const AudioError too_big = decode_fault(padded);
  EXPECT_EQ(too_big.fault(), AudioFault::too_big);
  EXPECT_NE(std::string(too_big.what()).find("too big: 2147483648 bytes, the limit is 20971520"),
            std::string::npos)
      << too_big.what();
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST(DecodeLimits, EachLimitRefusesAnOrdinaryClipOverIt) {
  test::TempDir dir("limits");
  const auto clip =
      write_test_file(dir.path() / "clip.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 8000, 8000);
  EXPECT_EQ(decode_audio(clip, {1.0, 40000}).samples.size(), 8000u);
  EXPECT_EQ(decode_fault(clip, {0.5, 40000}).fault(), AudioFault::too_long);
  EXPECT_EQ(decode_fault(clip, {1.0, 30000}).fault(), AudioFault::too_big);
  const std::string bytes = read_file(clip);
  const auto span = std::as_bytes(std::span(bytes.data(), bytes.size()));
  EXPECT_THROW(decode_audio_memory(span, "clip.wav", {0.5, 40000}), AudioError);
  EXPECT_THROW(decode_audio_memory(span, "clip.wav", {1.0, 30000}), AudioError);
}

// Devices and pipes have no size: they are read up to the byte limit and no further.
TEST(DecodeLimits, DevicesAndPipesAreReadWithABound) {
  if (!std::filesystem::exists("/dev/zero")) GTEST_SKIP() << "no /dev/zero";
  const auto start = std::chrono::steady_clock::now();
  const AudioError zero = decode_fault("/dev/zero");
  EXPECT_EQ(zero.fault(), AudioFault::not_audio) << zero.what();
  EXPECT_NE(std::string(zero.what()).find("/dev/zero: not a readable audio file"),
            std::string::npos)
      << zero.what();
  EXPECT_LT(seconds_since(start), 5.0);

  test::TempDir dir("fifo");
  const auto clip =
      write_test_file(dir.path() / "clip.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, 4000);
  const std::string bytes = read_file(clip);
  const auto fifo = dir.path() / "fifo.wav";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // No writer: empty, without waiting for one.
  EXPECT_EQ(decode_fault(fifo).fault(), AudioFault::empty);

  // A writer sending a clip, then the same clip with more than the byte limit after it. A
  // placeholder reader lets the writer connect before decode opens the pipe (as with a shell's
  // `<(...)`), and stays open until decode is done, so the writer never meets a pipe with no
  // reader until then.
  std::signal(SIGPIPE, SIG_IGN);  // the writer of the oversized stream sees the readers leave
  for (const std::size_t extra : {std::size_t{0}, std::size_t{3} << 20}) {
    const int placeholder = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(placeholder, 0);
    std::promise<void> connected;
    std::thread writer([&] {
      const int fd = ::open(fifo.c_str(), O_WRONLY);
      connected.set_value();
      if (fd < 0) return;
      const std::string data = bytes + std::string(extra, '\0');
      for (std::size_t at = 0; at < data.size();) {
        const ssize_t n = ::write(fd, data.data() + at, data.size() - at);
        if (n <= 0) break;
        at += static_cast<std::size_t>(n);
      }
      ::close(fd);
    });
    connected.get_future().wait();
    if (extra == 0) {
      EXPECT_EQ(decode_audio(fifo).samples, decode_audio(clip).samples);
    } else {
      const AudioError big = decode_fault(fifo, {30.0, 1u << 20});
      EXPECT_EQ(big.fault(), AudioFault::too_big) << big.what();
      EXPECT_NE(std::string(big.what()).find("more than 1048576 bytes"), std::string::npos)
          << big.what();
    }
    ::close(placeholder);
    writer.join();
  }
}

// Audio that decodes but cannot be resampled (one sample) is an error that names the file.
TEST(DecodeErrors, AClipTooShortToResampleNamesTheFile) {
  test::TempDir dir("short");
  const auto one =
      write_test_file(dir.path() / "one_sample.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, 1);
  try {
    load_audio(one, {22050, Resampler::kaiser_fast});
    ADD_FAILURE() << "a one-sample clip resampled";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(one.string() + ": ", 0), 0u) << e.what();
  }
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
