// `audify bench features`: clips/s of decode + resample + MFCC on realistic input (4 s, 44.1 kHz,
// 16-bit stereo WAV, the commonest UrbanSound8K format), per stage, on 1 thread and on N threads.
#pragma once

#include <string>
#include <vector>

#include "audio/resample.h"

namespace audify {

struct FeatureBenchOptions {
  int clips = 200;  // distinct clips generated in memory
  int repeats = 3;  // passes over them; the best pass counts
  int threads = 0;  // the "all threads" run; 0 = all cores
  std::vector<Resampler> resamplers = {Resampler::kaiser_fast, Resampler::soxr_hq};
};

struct FeatureBenchRow {
  Resampler resampler;
  int threads = 1;
  double clips_per_second = 0;                         // whole pipeline
  double decode_ms = 0, resample_ms = 0, mfcc_ms = 0;  // per clip, single-thread stage times
};

std::vector<FeatureBenchRow> run_feature_bench(const FeatureBenchOptions& options);

}  // namespace audify
