// The `features.*` config table: how a clip becomes a feature vector (load + MFCC + summary).
// Maps one-to-one onto configs/features/*.toml; `bind` is the single place the keys are declared.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "audio/load.h"
#include "config/options.h"
#include "core/matrix.h"
#include "features/mfcc_options.h"

namespace audify {

// How the frame-level matrix becomes one row of the feature table.
enum class Summary {
  mean,   // the seed's: mean over frames of each coefficient (mfcc40_mean)
  stats,  // Salamon et al. 2014: the statistics listed in `stats` (features/summary_stats.h)
  none,   // no feature table: the frame-level matrices themselves feed a CNN (logmel128)
};

// The frame-level matrix of a clip (features/frame_features.h).
enum class Frames {
  mfcc,     // (frames, n_mfcc): librosa.feature.mfcc
  log_mel,  // (frames, n_mels): power_to_db(melspectrogram), the MFCC before its DCT
};

struct FeatureOptions {
  LoadOptions load;  // target rate and resampler
  MfccOptions mfcc;  // frame-level MFCC parameters (mfcc.sample_rate follows load.sample_rate)
  Frames frames = Frames::mfcc;
  Summary summary = Summary::mean;
  // With summary = stats: which statistics, in column order (statistic-major); every name is
  // one of features/summary_stats.h's. The default is the paper's 11.
  std::vector<std::string> stats = {"min",      "max",     "median", "mean",    "var",   "skew",
                                    "kurtosis", "d1_mean", "d1_var", "d2_mean", "d2_var"};
};

// Declares every features.* key. Call `sync(options)` after applying values.
void bind(OptionSchema& schema, FeatureOptions& options);
// Keeps derived fields consistent (the MFCC sees the loader's rate) and validates ranges; throws
// audify::Error naming the key.
void finalize(FeatureOptions& options);

// Column names of the feature table for these options, e.g. mfcc_0..mfcc_39, or mfcc_3_median.
std::vector<std::string> feature_columns(const FeatureOptions& options);
// Reduces (frames, n_mfcc) to one row.
std::vector<float> summarize(const Matrix& frames, const FeatureOptions& options);
// Throws audify::Error naming `name` and the first non-finite column when `row` holds an inf or
// NaN (audio far outside [-1, 1] overflows the float32 spectra): such a row is no clip's features.
void require_finite_features(std::span<const float> row, const FeatureOptions& options,
                             const std::string& name);
// A canonical text of every option that changes the numbers; the feature cache keys on it.
std::string fingerprint(const FeatureOptions& options);

// The embedded feature sets: configs/features/<name>.toml applied to the defaults.
FeatureOptions load_feature_set(const std::string& name);

}  // namespace audify
