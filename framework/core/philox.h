// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011, as in Random123 and cuRAND) so
// that the CPU trainer and the CUDA kernels draw the same dropout masks and initial weights: every
// number is a pure function of (seed, counter), with no state to carry between threads.
// Plain code without std containers so the same functions compile as __host__ __device__.
#pragma once

#include <cstdint>

#ifndef AUDIFY_HD
#if defined(__CUDACC__)
#define AUDIFY_HD __host__ __device__
#else
#define AUDIFY_HD
#endif
#endif

namespace audify {

struct Philox4 {
  uint32_t v[4];
};

AUDIFY_HD inline Philox4 philox4x32_10(Philox4 ctr, uint32_t key0, uint32_t key1) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kM0) * ctr.v[0];
    const uint64_t p1 = static_cast<uint64_t>(kM1) * ctr.v[2];
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    ctr = Philox4{{hi1 ^ ctr.v[1] ^ key0, lo1, hi0 ^ ctr.v[3] ^ key1, lo0}};
    key0 += kW0;
    key1 += kW1;
  }
  return ctr;
}

// Streams keep draws for different purposes apart: the counter's last word names the purpose.
enum class RandomStream : uint32_t {
  kDropout = 0,
  kInit = 1,
  kShuffle = 2,
  kSplit = 3,
  kForest = 4,   // a = the tree: its bootstrap draw, then its candidate features
  kCrop = 5,     // CNN training windows: a = epoch, b = clip
  kAugment = 6,  // on-the-fly augmentation: a = epoch, b = clip
  kNoise = 7,    // background-noise variants: seed = a hash of the clip, a = the noise file
};

// One 32-bit word for (seed, stream, a, b, index): four consecutive indices share one Philox call.
AUDIFY_HD inline uint32_t philox_word(uint64_t seed, RandomStream stream, uint32_t a, uint32_t b,
                                      uint32_t index) {
  const Philox4 r = philox4x32_10(Philox4{{index >> 2, a, b, static_cast<uint32_t>(stream)}},
                                  static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
  return r.v[index & 3u];
}

// Uniform in [0, 1) with 24 random bits (exact in float).
AUDIFY_HD inline float uniform01(uint32_t word) {
  return static_cast<float>(word >> 8) * 0x1p-24f;
}

// A sequential generator over one stream (shuffles, splits): counter-based, so cheap to restart.
class PhiloxStream {
 public:
  AUDIFY_HD PhiloxStream(uint64_t seed, RandomStream stream, uint32_t a)
      : seed_(seed), stream_(stream), a_(a) {}
  AUDIFY_HD uint32_t next_u32() {
    const uint32_t w =
        philox_word(seed_, stream_, a_, static_cast<uint32_t>(n_ >> 32), static_cast<uint32_t>(n_));
    ++n_;
    return w;
  }
  // Uniform integer in [0, n) by Lemire's multiply-shift (bias below 2^-32 * n, irrelevant here).
  AUDIFY_HD uint32_t below(uint32_t n) {
    return static_cast<uint32_t>((static_cast<uint64_t>(next_u32()) * n) >> 32);
  }

 private:
  uint64_t seed_;
  RandomStream stream_;
  uint32_t a_;
  uint64_t n_ = 0;
};

}  // namespace audify
