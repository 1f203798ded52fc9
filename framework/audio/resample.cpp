// Dispatch to the chosen resampler, then librosa.resample's length fix-up (util.fix_length: trim
// or zero-pad to ceil(n * sr_out / sr_in)), so every method yields the same number of samples.
#include "audio/resample.h"

#include <cmath>

#include "core/error.h"

namespace audify {

std::string_view resampler_name(Resampler r) {
  switch (r) {
    case Resampler::soxr_hq:
      return "soxr_hq";
    case Resampler::kaiser_fast:
      return "kaiser_fast";
    case Resampler::kaiser_best:
      return "kaiser_best";
  }
  return "unknown";
}

size_t resampled_length(size_t n, int sr_in, int sr_out) {
  // librosa: ratio = float(target_sr) / orig_sr; n_samples = int(np.ceil(n * ratio)). Kept in
  // this floating-point order on purpose: e.g. 48000 -> 22050 with n a multiple of 320 rounds up.
  const double ratio = static_cast<double>(sr_out) / static_cast<double>(sr_in);
  return static_cast<size_t>(std::ceil(static_cast<double>(n) * ratio));
}

std::vector<float> resample(std::span<const float> x, int sr_in, int sr_out, Resampler method) {
  if (sr_in <= 0 || sr_out <= 0) {
    fail("resample: sample rates must be positive, got {} -> {} Hz", sr_in, sr_out);
  }
  if (sr_in == sr_out) return {x.begin(), x.end()};
  std::vector<float> y = method == Resampler::soxr_hq
                             ? detail::soxr_resample(x, sr_in, sr_out)
                             : detail::resampy_resample(x, sr_in, sr_out, method);
  y.resize(resampled_length(x.size(), sr_in, sr_out), 0.0f);
  return y;
}

}  // namespace audify
