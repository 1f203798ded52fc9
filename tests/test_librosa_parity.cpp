// End-to-end parity with the seed's Python: original UrbanSound8K WAVs (every bit depth, channel
// count and rate in the sample) -> decode -> kaiser_fast -> MFCC-40 mean, against librosa 0.10.2's
// own output in ../shared/golden. soxr_hq has no bound; its difference is reported (docs/).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "data/feature_table.h"
#include "data/urbansound8k.h"
#include "features/extract.h"
#include "test_support.h"

namespace audify {
namespace {

struct Golden {
  std::map<std::string, std::vector<float>> means;  // slice_file_name -> mfcc_0..39
};

Golden read_golden(const std::filesystem::path& csv) {
  // Same layout as a feature table minus fsID/class; reuse the numeric reader after the 3 labels.
  Golden g;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string cell, name;
    std::getline(ss, name, ',');
    for (int skip = 0; skip < 2; ++skip) std::getline(ss, cell, ',');
    std::vector<float> v;
    while (std::getline(ss, cell, ',')) v.push_back(std::stof(cell));
    g.means[name] = std::move(v);
  }
  return g;
}

// Returns, per clip, max |audify - librosa| / max |librosa|.
std::map<std::string, double> relative_errors(Resampler resampler) {
  const auto root = test::shared_path("data/urbansound8k-sample");
  const auto golden_csv = test::shared_path("golden/urbansound8k-sample/mfcc40_mean_librosa.csv");
  if (!root || !golden_csv) return {};
  const Golden golden = read_golden(*golden_csv);
  const std::vector<ExtractJob> jobs = dataset_jobs(*root);
  FeatureOptions options;
  options.load.resampler = resampler;
  finalize(options);
  ExtractOptions extract;
  extract.progress = false;
  const ExtractResult result = extract_features(jobs, options, extract);
  EXPECT_TRUE(result.failures.empty())
      << result.failures.front().file << ": " << result.failures.front().error;

  std::map<std::string, double> errors;
  for (const FeatureRow& row : result.table.rows) {
    const auto it = golden.means.find(row.slice_file_name);
    if (it == golden.means.end()) continue;
    double max_ref = 0, max_diff = 0;
    for (std::size_t i = 0; i < row.values.size(); ++i) {
      max_ref = std::max(max_ref, std::abs(double(it->second[i])));
      max_diff = std::max(max_diff, std::abs(double(row.values[i]) - it->second[i]));
    }
    errors[row.slice_file_name] = max_diff / max_ref;
  }
  EXPECT_EQ(errors.size(), golden.means.size()) << "every golden clip must be extracted";
  return errors;
}

TEST(LibrosaParity, KaiserFastMeansMatchLibrosaForEveryClip) {
  if (!test::shared_path("golden/urbansound8k-sample"))
    GTEST_SKIP() << "../shared golden data not present";
  const auto errors = relative_errors(Resampler::kaiser_fast);
  double worst = 0;
  for (const auto& [name, err] : errors) {
    EXPECT_LE(err, 1e-3) << name;
    worst = std::max(worst, err);
  }
  std::printf("kaiser_fast: %zu clips, worst max|diff|/max|ref| = %.3g\n", errors.size(), worst);
}

TEST(LibrosaParity, SoxrDifferenceIsReported) {
  if (!test::shared_path("golden/urbansound8k-sample"))
    GTEST_SKIP() << "../shared golden data not present";
  const auto errors = relative_errors(Resampler::soxr_hq);
  double worst = 0, sum = 0;
  for (const auto& [name, err] : errors) worst = std::max(worst, err), sum += err;
  // No bound on the size (a different resampler), but it must be computed for every clip and be
  // a real difference: soxr is not resampy.
  ASSERT_FALSE(errors.empty());
  EXPECT_GT(worst, 0.0);
  std::printf("soxr_hq vs librosa kaiser_fast: mean %.3g, worst %.3g (max|diff|/max|ref|)\n",
              sum / errors.size(), worst);
}

}  // namespace
}  // namespace audify
