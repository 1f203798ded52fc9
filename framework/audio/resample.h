// Sample-rate conversion. `kaiser_fast` and `kaiser_best` reproduce resampy 0.4's band-limited sinc
// interpolation exactly as librosa.load(..., res_type=...) calls it, so features match the seed's
// Python; `soxr_hq` is libsoxr's high-quality mode (librosa 0.10's default resampler).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace audify {

enum class Resampler { soxr_hq, kaiser_fast, kaiser_best };

std::string_view resampler_name(Resampler r);

// Resamples `x` from `sr_in` to `sr_out` Hz and applies librosa's length fix-up: the result has
// exactly ceil(len(x) * sr_out / sr_in) samples. Returns `x` unchanged when the rates are equal.
// Rates must be positive (else audify::Error); the length is computed in double precision as
// librosa does, int(ceil(n * (double(sr_out) / sr_in))).
std::vector<float> resample(std::span<const float> x, int sr_in, int sr_out, Resampler method);

// The output length resample() produces (librosa's n_samples).
size_t resampled_length(size_t n, int sr_in, int sr_out);

namespace detail {
// The raw resamplers, before the length fix-up (exposed for tests and parity checks).
// resampy.resample(x, sr_in, sr_out, filter=kaiser_fast|kaiser_best): int(n * sr_out / sr_in)
// samples; throws audify::Error when that is zero, as resampy does.
std::vector<float> resampy_resample(std::span<const float> x, int sr_in, int sr_out,
                                    Resampler filter);
// The same without resampy_polyphase's tabulated fast path: every output from the generic loop.
std::vector<float> resampy_resample_generic(std::span<const float> x, int sr_in, int sr_out,
                                            Resampler filter);
// python-soxr's soxr.resample(x, sr_in, sr_out, 'HQ') on float32 mono input.
std::vector<float> soxr_resample(std::span<const float> x, int sr_in, int sr_out);
}  // namespace detail

}  // namespace audify
