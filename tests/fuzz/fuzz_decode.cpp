// Audio bytes as an upload brings them: decode from memory (libsndfile), resample to 22050 Hz,
// MFCCs and their mean (the seed's features), as `audify classify` and `audify serve` do.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "features/extract.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const audify::FeatureOptions options = audify::load_feature_set("mfcc40_mean");
  try {
    const std::vector<float> features =
        audify::extract_one(audify::fuzz::as_bytes(data, size), "fuzz.wav", options);
    if (features.size() != 40) __builtin_trap();  // one value per MFCC, whatever the clip
  } catch (const audify::Error&) {
  }
  return 0;
}
