// Random numbers for the synthetic dataset. std::*_distribution output differs between standard
// libraries, so uniform and normal draws are derived here from mt19937_64's raw 64-bit output,
// which the standard pins down exactly: the same seed gives the same dataset on every toolchain.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace audify {

// SplitMix64 finaliser: spreads nearby keys (fsID, slice index) over the whole seed space.
inline std::uint64_t synth_mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// One stream per (seed, key...) so clips can be rendered on any thread in any order.
inline std::uint64_t synth_key(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0,
                               std::uint64_t c = 0) {
  return synth_mix(synth_mix(synth_mix(synth_mix(seed) ^ a) ^ b) ^ c);
}

class SynthRng {
 public:
  explicit SynthRng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t bits() { return engine_(); }
  // [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Inclusive range; the bias of scaling is far below anything audible.
  int integer(int lo, int hi) {
    return lo + static_cast<int>(uniform() * static_cast<double>(hi - lo + 1));
  }
  bool chance(double p) { return uniform() < p; }
  // Standard normal by Box-Muller (no cached second value, so draws stay in lock-step).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Unit-variance uniform noise: cheap enough for every sample of a clip.
  float noise() {
    return static_cast<float>((static_cast<double>(engine_() >> 11) * 0x1.0p-53 - 0.5) *
                              3.4641016151377544);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace audify
