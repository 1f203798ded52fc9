#include "features/feature_options.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "audio/audio_limits.h"
#include "config/paths.h"
#include "core/error.h"
#include "features/mel_filterbank.h"
#include "features/mfcc_cpu.h"
#include "features/summary_stats.h"

namespace audify {
namespace {

void require_feature_table(const FeatureOptions& o) {
  if (o.summary == Summary::none)
    fail(
        "features.summary = \"none\": these are frame-level features for a CNN model, not a "
        "feature table (use a summarising feature set such as features=mfcc40_mean)");
}

}  // namespace

void bind(OptionSchema& s, FeatureOptions& o) {
  s.field("sample_rate", o.load.sample_rate, "target sample rate after resampling, Hz");
  s.choice("resample", o.load.resampler,
           {{"soxr_hq", Resampler::soxr_hq},
            {"kaiser_fast", Resampler::kaiser_fast},
            {"kaiser_best", Resampler::kaiser_best}},
           "resampler: kaiser_* reproduce resampy/librosa.load exactly");
  s.field("n_fft", o.mfcc.n_fft, "FFT size, samples");
  s.field("hop_length", o.mfcc.hop_length, "samples between frames");
  s.field("win_length", o.mfcc.win_length, "periodic Hann window length, samples (<= n_fft)");
  s.field("center", o.mfcc.center, "pad n_fft/2 on both sides so frames are centred");
  s.choice("pad_mode", o.mfcc.pad_mode,
           {{"constant", PadMode::constant}, {"reflect", PadMode::reflect}},
           "centre padding: zeros (librosa >= 0.10) or reflect (older librosa)");
  s.field("power", o.mfcc.power, "exponent of the magnitude spectrogram (2 = power)");
  s.field("n_mels", o.mfcc.n_mels, "Slaney mel bands");
  s.field("fmin", o.mfcc.fmin, "lowest mel frequency, Hz");
  s.field("fmax", o.mfcc.fmax, "highest mel frequency, Hz; 0 = sample_rate / 2");
  s.field("ref", o.mfcc.ref, "power_to_db reference power");
  s.field("amin", o.mfcc.amin, "power_to_db floor");
  s.field("top_db", o.mfcc.top_db, "dynamic range kept below the clip's maximum, dB; 0 = all");
  s.field("n_mfcc", o.mfcc.n_mfcc, "cepstral coefficients kept (DCT-II, orthonormal)");
  s.choice("frames", o.frames, {{"mfcc", Frames::mfcc}, {"log_mel", Frames::log_mel}},
           "frame-level matrix: MFCCs or the log-mel spectrogram before the DCT");
  s.choice("summary", o.summary,
           {{"mean", Summary::mean}, {"stats", Summary::stats}, {"none", Summary::none}},
           "frames to one row; none = frame-level features for CNNs, no feature table");
  s.field("stats", o.stats, "statistics over frames when summary = \"stats\"");
}

void finalize(FeatureOptions& o) {
  if (o.load.sample_rate < kMinSampleRate || o.load.sample_rate > kMaxSampleRate)
    fail("features.sample_rate: must be in [{}, {}] Hz, got {}", kMinSampleRate, kMaxSampleRate,
         o.load.sample_rate);
  o.mfcc.sample_rate = o.load.sample_rate;
  // The summarising paths (CPU, CUDA, serve) reduce MFCCs; log-mel frames go to CNNs whole.
  if (o.frames == Frames::log_mel && o.summary != Summary::none)
    fail("features.frames = \"log_mel\": needs summary = \"none\" (summaries are of MFCCs)");
  cpu_mfcc::validate(o.mfcc);
  // Built once here only for its check that every band holds an FFT bin, so a bad n_fft / n_mels
  // pair fails while the config is validated rather than on the first clip.
  make_mel_filterbank(o.mfcc.sample_rate, o.mfcc.n_fft, o.mfcc.n_mels, o.mfcc.fmin,
                      o.mfcc.fmax_hz());
  if (o.summary == Summary::stats) {
    if (o.stats.empty()) fail("features.stats: empty list (summary = \"stats\" needs one or more)");
    for (std::size_t i = 0; i < o.stats.size(); ++i) {
      if (!parse_stat(o.stats[i]))
        fail(
            "features.stats: unknown statistic '{}' (known: min max median mean var skew kurtosis "
            "d1_mean d1_var d2_mean d2_var)",
            o.stats[i]);
      for (std::size_t j = 0; j < i; ++j)
        if (o.stats[j] == o.stats[i]) fail("features.stats: '{}' listed twice", o.stats[i]);
    }
  }
}

namespace {

std::vector<Stat> parsed_stats(const FeatureOptions& o) {
  std::vector<Stat> out;
  for (const std::string& name : o.stats) {
    const std::optional<Stat> s = parse_stat(name);
    if (!s) fail("features.stats: unknown statistic '{}'", name);
    out.push_back(*s);
  }
  return out;
}

}  // namespace

std::vector<std::string> feature_columns(const FeatureOptions& o) {
  require_feature_table(o);
  std::vector<std::string> cols;
  if (o.summary == Summary::stats) {
    for (Stat s : parsed_stats(o))
      for (int i = 0; i < o.mfcc.n_mfcc; ++i)
        cols.push_back(fmt::format("mfcc_{}_{}", i, stat_name(s)));
    return cols;
  }
  for (int i = 0; i < o.mfcc.n_mfcc; ++i) cols.push_back(fmt::format("mfcc_{}", i));
  return cols;
}

std::vector<float> summarize(const Matrix& frames, const FeatureOptions& o) {
  AUDIFY_ASSERT(frames.rows > 0);
  if (o.summary == Summary::stats) return summary_stats(frames, parsed_stats(o));
  require_feature_table(o);
  AUDIFY_ASSERT(o.summary == Summary::mean);
  // librosa's `m.mean(axis=1)` on float32 accumulates pairwise in float32; a double sum rounded
  // once is at least as accurate and within float32 rounding of it.
  std::vector<double> acc(frames.cols, 0.0);
  for (std::size_t t = 0; t < frames.rows; ++t)
    for (std::size_t c = 0; c < frames.cols; ++c) acc[c] += frames(t, c);
  std::vector<float> row(frames.cols);
  for (std::size_t c = 0; c < frames.cols; ++c)
    row[c] = static_cast<float>(acc[c] / static_cast<double>(frames.rows));
  return row;
}

void require_finite_features(std::span<const float> row, const FeatureOptions& options,
                             const std::string& name) {
  const auto finite = [](float v) { return std::isfinite(v); };
  const auto bad = std::find_if_not(row.begin(), row.end(), finite);
  if (bad == row.end()) return;
  const auto index = static_cast<std::size_t>(bad - row.begin());
  const std::vector<std::string> columns = feature_columns(options);
  const std::string column =
      index < columns.size() ? columns[index] : fmt::format("column {}", index);
  const auto count =
      static_cast<std::size_t>(std::count_if(bad, row.end(), [&](float v) { return !finite(v); }));
  fail(
      "{}: the features are not finite ({} = {}, {} of {} values): the audio overflows float32 "
      "spectra (samples far outside [-1, 1]?)",
      name, column, std::isnan(*bad) ? "NaN" : (*bad > 0 ? "inf" : "-inf"), count, row.size());
}

std::string fingerprint(const FeatureOptions& options) {
  FeatureOptions copy = options;
  OptionSchema schema("features");
  bind(schema, copy);
  std::ostringstream ss;
  ss << "audify-features-v1\n" << schema.to_table();
  return ss.str();
}

FeatureOptions load_feature_set(const std::string& name) {
  FeatureOptions options;
  const ConfigSources sources = config_search_path();
  const std::filesystem::path relative = std::filesystem::path("features") / (name + ".toml");
  const auto found = sources.find_config(relative);
  if (!found)
    fail("features={}: no such feature set ({} not found)", name,
         sources.config_candidates(relative));
  const std::filesystem::path& file = *found;
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    fail("{}: {}", file.string(), e.description());
  }
  OptionSchema schema("features");
  bind(schema, options);
  schema.apply(table, file.string());
  finalize(options);
  return options;
}

}  // namespace audify
