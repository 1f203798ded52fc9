// soxr_hq through libsoxr, called exactly as python-soxr 0.3+ `soxr.resample(x, in, out, 'HQ')`
// does for mono float32 (csoxr_divide_proc): one soxr_t, input fed in chunks, then a flush.
#include <soxr.h>

#include <algorithm>
#include <memory>

#include "audio/resample.h"
#include "core/error.h"

namespace audify::detail {

std::vector<float> soxr_resample(std::span<const float> x, int sr_in, int sr_out) {
  if (sr_in <= 0 || sr_out <= 0) {
    fail("soxr_resample: sample rates must be positive, got {} -> {} Hz", sr_in, sr_out);
  }
  const double in_rate = sr_in;
  const double out_rate = sr_out;
  const soxr_io_spec_t io_spec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality_spec = soxr_quality_spec(SOXR_HQ, 0);
  soxr_error_t err = nullptr;
  std::unique_ptr<soxr, decltype(&soxr_delete)> resampler(
      soxr_create(in_rate, out_rate, 1, &err, &io_spec, &quality_spec, nullptr), &soxr_delete);
  if (err != nullptr) fail("soxr_resample: {} -> {} Hz: {}", sr_in, sr_out, err);

  // python-soxr's buffer sizes, so a full output buffer truncates exactly where it would there.
  const size_t ilen = x.size();
  const auto olen = static_cast<size_t>(static_cast<double>(ilen) * out_rate / in_rate + 1);
  const auto chunk_len = static_cast<size_t>(48000 * in_rate / out_rate);
  std::vector<float> y(olen, 0.0f);
  size_t out_pos = 0;
  size_t odone = 0;
  for (size_t idx = 0; idx < ilen && err == nullptr; idx += chunk_len) {
    err = soxr_process(resampler.get(), x.data() + idx, std::min(chunk_len, ilen - idx), nullptr,
                       y.data() + out_pos, olen - out_pos, &odone);
    out_pos += odone;
  }
  if (err == nullptr) {
    err = soxr_process(resampler.get(), nullptr, 0, nullptr, y.data() + out_pos, olen - out_pos,
                       &odone);
    out_pos += odone;
  }
  if (err != nullptr) fail("soxr_resample: {} -> {} Hz: {}", sr_in, sr_out, err);
  y.resize(out_pos);
  return y;
}

}  // namespace audify::detail
