#include "serve/clip_view.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace audify {
namespace {

int to_i8(float x) {
  return static_cast<int>(std::lround(std::clamp(x, -1.0f, 1.0f) * 127.0f));
}

}  // namespace

nlohmann::json waveform_envelope(std::span<const float> samples, int columns) {
  const std::size_t n = samples.size();
  const std::size_t cols = std::min(n, static_cast<std::size_t>(std::max(columns, 1)));
  std::vector<int> lo(cols), hi(cols);
  for (std::size_t c = 0; c < cols; ++c) {
    // Column c covers [c n / cols, (c + 1) n / cols): every sample lands in exactly one column.
    const auto first = samples.begin() + static_cast<long>(c * n / cols);
    const auto last = samples.begin() + static_cast<long>((c + 1) * n / cols);
    const auto [mn, mx] = std::minmax_element(first, last);
    lo[c] = to_i8(*mn);
    hi[c] = to_i8(*mx);
  }
  return {{"columns", cols}, {"min", lo}, {"max", hi}};
}

nlohmann::json mel_image(const Matrix& log_mel, int max_frames, double db_range) {
  const std::size_t frames =
      std::min(log_mel.rows, static_cast<std::size_t>(std::max(max_frames, 1)));
  const std::size_t bands = log_mel.cols;
  std::vector<double> pooled(frames * bands, 0.0);
  for (std::size_t t = 0; t < frames; ++t) {
    const std::size_t first = t * log_mel.rows / frames, last = (t + 1) * log_mel.rows / frames;
    for (std::size_t r = first; r < last; ++r)
      for (std::size_t b = 0; b < bands; ++b) pooled[t * bands + b] += log_mel(r, b);
    for (std::size_t b = 0; b < bands; ++b)
      pooled[t * bands + b] /= static_cast<double>(last - first);
  }
  const double db_max = pooled.empty() ? 0.0 : *std::max_element(pooled.begin(), pooled.end());
  std::vector<unsigned char> pixels(pooled.size());
  for (std::size_t i = 0; i < pooled.size(); ++i) {
    const double level = 1.0 - (db_max - pooled[i]) / db_range;
    pixels[i] = static_cast<unsigned char>(std::lround(std::clamp(level, 0.0, 1.0) * 255.0));
  }
  return {{"frames", frames},
          {"bands", bands},
          {"db_max", db_max},
          {"db_range", db_range},
          {"pixels", base64_encode(pixels)}};
}

std::string base64_encode(std::span<const unsigned char> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t left = bytes.size() - i;
    const unsigned v = (unsigned{bytes[i]} << 16) | (left > 1 ? unsigned{bytes[i + 1]} << 8 : 0u) |
                       (left > 2 ? unsigned{bytes[i + 2]} : 0u);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += left > 1 ? kAlphabet[(v >> 6) & 63] : '=';
    out += left > 2 ? kAlphabet[v & 63] : '=';
  }
  return out;
}

}  // namespace audify
