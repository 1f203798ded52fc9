// Batch feature extraction: many clips on all cores (or decoding on all cores feeding batches to
// the GPU), with a progress line, the feature cache, and per-file failures collected rather than
// fatal.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "audio/audio_limits.h"
#include "data/dataset.h"
#include "data/feature_table.h"
#include "features/backend.h"
#include "features/feature_options.h"

namespace audify {

struct ExtractJob {
  std::filesystem::path path;
  FeatureRow labels;  // slice_file_name, fsID, fold, classID, class; values are filled in
};

struct ExtractOptions {
  int threads = 0;                  // 0 = all cores (decoding threads when on the GPU)
  Device device = Device::cpu;      // auto / cuda: batches of clips on the CUDA backend
  std::filesystem::path cache_dir;  // empty = no cache
  bool progress = true;             // progress line on stderr
  // When set, each clip's frame-level matrix is also written as <frames_dir>/<slice>.npy:
  // MFCC (frames, n_mfcc) or log-mel (frames, n_mels), for CNNs and inspection.
  std::filesystem::path frames_dir;
  bool frames_log_mel = false;
  AudioLimits limits;  // per clip; a file over them fails, the rest go on
};

struct ExtractFailure {
  std::string file;
  std::string error;
};

struct ExtractResult {
  FeatureTable table;  // rows in job order, failed files left out
  std::vector<ExtractFailure> failures;
  std::size_t cache_hits = 0;
  double seconds = 0;
  std::string backend = "cpu";  // which ran: "cpu", "cuda" or "cuda-emulated"
  std::size_t batches = 0;      // GPU batches (0 on the CPU)
};

// The clips of a dataset (any layout, data/dataset.h) as extraction jobs, labels filled in. Listed
// clips without an audio file are reported on the log; a dataset with none at all is an error.
std::vector<ExtractJob> dataset_jobs(const Dataset& dataset);
// The same for a dataset in the UrbanSound8K layout.
std::vector<ExtractJob> dataset_jobs(const std::filesystem::path& root);

ExtractResult extract_features(const std::vector<ExtractJob>& jobs, const FeatureOptions& options,
                               const ExtractOptions& extract);

// One clip from bytes in memory (cache-free): decode, resample, MFCC, summary.
std::vector<float> extract_one(std::span<const std::byte> file_bytes, const std::string& name,
                               const FeatureOptions& options, const AudioLimits& limits = {});

int resolve_threads(int requested);

}  // namespace audify
