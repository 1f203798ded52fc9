// libsndfile-backed WAV writer (see wav_writer.h).
#include "data/wav_writer.h"

#include <sndfile.h>

#include <system_error>

#include "core/error.h"

namespace audify {

std::string_view to_string(WavSample sample) {
  switch (sample) {
    case WavSample::kPcm16:
      return "PCM_16";
    case WavSample::kPcm24:
      return "PCM_24";
    case WavSample::kPcmU8:
      return "PCM_U8";
    case WavSample::kFloat32:
      return "FLOAT";
  }
  return "?";
}

namespace {

int subtype(WavSample sample) {
  switch (sample) {
    case WavSample::kPcm16:
      return SF_FORMAT_PCM_16;
    case WavSample::kPcm24:
      return SF_FORMAT_PCM_24;
    case WavSample::kPcmU8:
      return SF_FORMAT_PCM_U8;
    case WavSample::kFloat32:
      return SF_FORMAT_FLOAT;
  }
  return SF_FORMAT_PCM_16;
}

}  // namespace

void write_wav_atomic(const std::filesystem::path& path, std::span<const float> interleaved,
                      const WavFormat& format) {
  AUDIFY_ASSERT(format.channels > 0 && format.sample_rate > 0);
  AUDIFY_ASSERT(interleaved.size() % static_cast<std::size_t>(format.channels) == 0);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) fail("{}: cannot create folder: {}", path.parent_path().string(), ec.message());

  SF_INFO info{};
  info.samplerate = format.sample_rate;
  info.channels = format.channels;
  info.format = SF_FORMAT_WAV | subtype(format.sample);
  const std::filesystem::path temp = path.string() + ".tmp";
  SNDFILE* file = sf_open(temp.c_str(), SFM_WRITE, &info);
  if (file == nullptr) fail("{}: cannot create WAV: {}", temp.string(), sf_strerror(nullptr));
  // The PEAK chunk carries the wall-clock time, which would make equal clips differ byte-wise.
  sf_command(file, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
  const auto frames = static_cast<sf_count_t>(interleaved.size()) / format.channels;
  const sf_count_t written = sf_writef_float(file, interleaved.data(), frames);
  const std::string write_error = written == frames ? "" : sf_strerror(file);
  const int close_status = sf_close(file);
  if (written != frames || close_status != 0) {
    std::filesystem::remove(temp, ec);
    fail("{}: cannot write WAV: {}", temp.string(),
         write_error.empty() ? sf_error_number(close_status) : write_error);
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    const std::string reason = ec.message();
    std::filesystem::remove(temp, ec);
    fail("{}: cannot rename into place: {}", path.string(), reason);
  }
}

}  // namespace audify
