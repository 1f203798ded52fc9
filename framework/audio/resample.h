// Sample-rate conversion. `kaiser_fast` and `kaiser_best` reproduce resampy 0.4's band-limited sinc
// interpolation exactly as librosa.load(..., res_type=...) calls it, so features match the seed's
// Python; `soxr_hq` is libsoxr's high-quality mode (librosa 0.10's default resampler).
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace audify {

enum class Resampler { soxr_hq, kaiser_fast, kaiser_best };

std::string_view resampler_name(Resampler r);

// Resamples `x` from `sr_in` to `sr_out` Hz and applies librosa's length fix-up: the result has
// exactly ceil(len(x) * sr_out / sr_in) samples. Returns `x` unchanged when the rates are equal.
std::vector<float> resample(std::span<const float> x, int sr_in, int sr_out, Resampler method);

}  // namespace audify
