// Frame-level extraction for CNN models: every clip's log-mel (or MFCC) frames on all cores, or
// through the CUDA backend's extractor, into one FrameStore with a progress line. The store is
// cached as one file per dataset under <cache>/frames/, keyed by the feature options' fingerprint
// and the clips' (path, size, modification time): a warm run reads one file and decodes no audio.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "features/extract.h"
#include "features/frame_store.h"

namespace audify {

struct FrameExtraction {
  FrameStore store;               // the clips that extracted, in job order
  std::vector<std::size_t> jobs;  // store clip i is jobs[i] of the job list
  std::vector<ExtractFailure> failures;
  bool from_cache = false;
  double seconds = 0;
  std::string backend = "cpu";
};

// A change of each clip's audio before its frames are computed (an augmentation's variant): `key`
// names it in the cache's key, `apply` maps samples at `sample_rate` to new samples.
struct AudioTransform {
  std::string key;
  std::function<std::vector<float>(std::span<const float> samples, int sample_rate)> apply;
};

// options.summary must be "none" (frame-level). Per-clip failures are collected, not fatal.
FrameExtraction extract_frames(const std::vector<ExtractJob>& jobs, const FeatureOptions& options,
                               const ExtractOptions& extract, const AudioTransform& transform = {});

}  // namespace audify
