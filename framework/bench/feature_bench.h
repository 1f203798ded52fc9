// `audify bench features`: clips/s of decode + resample + MFCC on realistic input (4 s, 44.1 kHz,
// 16-bit stereo WAV, the commonest UrbanSound8K format), per stage, on 1 thread and on N threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "audio/resample.h"
#include "features/backend.h"

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

// The benchmark's input: clip `index` as a 4 s 44.1 kHz 16-bit stereo WAV file in memory.
std::vector<std::byte> make_bench_wav(int index);

// `audify bench features device=cuda`: the batched GPU path (kaiser_fast, MFCC-40 mean) over
// clips already decoded and resampled (the GPU alone: copies in, kernels, rows out), and from the
// WAV bytes with decoding on `threads` CPU threads overlapping the GPU. GB/s counts the float32
// samples at 22050 Hz that enter the GPU.
struct GpuFeatureBench {
  std::string backend;  // "cuda" or "cuda-emulated"
  int clips = 0, threads = 0;
  std::size_t batches = 0;
  double sample_bytes = 0;                                     // per pass
  double seconds_without_decode = 0, seconds_with_decode = 0;  // best pass each
};
// Throws audify::Error saying why when `device` cannot resolve to a usable CUDA backend.
GpuFeatureBench run_gpu_feature_bench(const FeatureBenchOptions& options, Device device);

}  // namespace audify
