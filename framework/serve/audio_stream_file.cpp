// A regular audio file as a stream: libsndfile reads any of its formats chunk by chunk, so a long
// recording is never held in memory whole.
#include <fmt/format.h>
#include <sndfile.h>

#include <cmath>

#include "core/error.h"
#include "serve/audio_stream.h"
#include "serve/audio_stream_pcm.h"

namespace audify {
namespace {

class FileStream final : public AudioStream {
 public:
  explicit FileStream(const std::filesystem::path& path) : name_(path.string()) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail("{}: file not found", name_);
    if (std::filesystem::is_directory(path, ec)) fail("{}: is a folder, not an audio file", name_);
    file_ = sf_open(name_.c_str(), SFM_READ, &info_);
    if (!file_) fail("{}: not a readable audio file ({})", name_, sf_strerror(nullptr));
    if (info_.samplerate <= 0 || info_.channels <= 0)
      fail("{}: invalid sample rate {} or channel count {}", name_, info_.samplerate,
           info_.channels);
  }
  ~FileStream() override { sf_close(file_); }
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;

  int sample_rate() const override { return info_.samplerate; }
  std::string describe() const override {
    return fmt::format("{}: {:.1f} s, {} Hz, {} channel{}", name_,
                       static_cast<double>(info_.frames) / info_.samplerate, info_.samplerate,
                       info_.channels, info_.channels == 1 ? "" : "s");
  }
  StreamEnd end() const override { return end_; }

  std::size_t read(std::size_t frames, std::vector<float>& out) override {
    if (end_ != StreamEnd::not_yet) return 0;
    interleaved_.resize(frames * static_cast<std::size_t>(info_.channels));
    const sf_count_t got =
        sf_readf_float(file_, interleaved_.data(), static_cast<sf_count_t>(frames));
    if (got < static_cast<sf_count_t>(frames)) end_ = StreamEnd::end_of_data;
    const std::size_t n = got > 0 ? static_cast<std::size_t>(got) : 0;
    interleaved_.resize(n * static_cast<std::size_t>(info_.channels));
    for (std::size_t i = 0; i < interleaved_.size(); ++i)
      if (!std::isfinite(interleaved_[i]))
        fail("{}: sample {} is not finite (the file holds NaN or Inf)", name_,
             frames_read_ * static_cast<std::size_t>(info_.channels) + i);
    stream_detail::append_mono(interleaved_, info_.channels, out);
    frames_read_ += n;
    return n;
  }

 private:
  std::string name_;
  SF_INFO info_{};
  SNDFILE* file_ = nullptr;
  StreamEnd end_ = StreamEnd::not_yet;
  std::vector<float> interleaved_;
  std::size_t frames_read_ = 0;
};

}  // namespace

std::unique_ptr<AudioStream> open_file_stream(const std::filesystem::path& path) {
  return std::make_unique<FileStream>(path);
}

}  // namespace audify
