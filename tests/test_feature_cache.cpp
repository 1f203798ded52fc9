// The feature cache checks what it reads: a flipped byte, a truncated entry or an entry of the
// checksum-less first format is a miss (recomputed and rewritten), never features.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "data/wav_writer.h"
#include "features/extract.h"
#include "features/feature_cache.h"
#include "test_support.h"

namespace audify {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".f32") out.push_back(e.path());
  return out;
}

TEST(FeatureCache, RoundTripsAndRejectsDamagedEntries) {
  test::TempDir dir("feature-cache");
  const FeatureCache cache(dir.path(), "options");
  const std::vector<float> row = {1.5f, -2.0f, 3.25f, 0.0f};
  cache.put("00112233445566778899aabbccddeeff", row);
  EXPECT_EQ(cache.get("00112233445566778899aabbccddeeff", row.size()), row);
  EXPECT_FALSE(cache.get("00112233445566778899aabbccddeeff", row.size() + 1));  // other width
  const fs::path entry = entries(dir.path()).at(0);
  const std::string good = read_file(entry);

  for (std::size_t at : {std::size_t{9}, std::size_t{17}, good.size() - 1}) {  // n, value, checksum
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x40);
    write_file_atomic(entry, bad);
    EXPECT_FALSE(cache.get("00112233445566778899aabbccddeeff", row.size())) << "byte " << at;
  }
  write_file_atomic(entry, good.substr(0, good.size() - 3));
  EXPECT_FALSE(cache.get("00112233445566778899aabbccddeeff", row.size())) << "truncated";

  // The first format: "AUDFEAT1", u64 n, the floats, no checksum.
  std::string v1 = "AUDFEAT1";
  const std::uint64_t n = row.size();
  v1.append(reinterpret_cast<const char*>(&n), sizeof n);
  v1.append(reinterpret_cast<const char*>(row.data()), row.size() * sizeof(float));
  write_file_atomic(entry, v1);
  EXPECT_FALSE(cache.get("00112233445566778899aabbccddeeff", row.size())) << "version 1";
}

// The case: a flipped byte inside a cached value was served as a feature of ~4e19.
TEST(FeatureCache, ExtractionRecomputesACorruptEntry) {
  test::TempDir dir("feature-cache-extract");
  std::vector<ExtractJob> jobs;
  for (int i = 0; i < 3; ++i) {
    const fs::path path = dir.path() / ("tone" + std::to_string(i) + ".wav");
    std::vector<float> y(22050);
    for (std::size_t t = 0; t < y.size(); ++t)
      y[t] = static_cast<float>(0.3 * std::sin(0.05 * (i + 1) * static_cast<double>(t)));
    write_wav_atomic(path, y, {22050, 1, WavSample::kPcm16});
    jobs.push_back({path, FeatureRow{path.filename().string(), i, 1, 0, "x", {}}});
  }
  FeatureOptions options;
  finalize(options);
  ExtractOptions ex;
  ex.cache_dir = dir.path() / "cache";
  ex.progress = false;
  const ExtractResult first = extract_features(jobs, options, ex);
  ASSERT_TRUE(first.failures.empty());

  for (const fs::path& entry : entries(ex.cache_dir)) {
    std::string bytes = read_file(entry);
    bytes[16 + 4 * 5 + 3] = static_cast<char>(bytes[16 + 4 * 5 + 3] ^ 0x5f);  // value 5's exponent
    write_file_atomic(entry, bytes);
    break;
  }
  const ExtractResult second = extract_features(jobs, options, ex);
  EXPECT_EQ(second.cache_hits, 2u) << "the corrupt entry is not a hit";
  ASSERT_EQ(second.table.rows.size(), 3u);
  for (std::size_t r = 0; r < 3; ++r)
    EXPECT_EQ(second.table.rows[r].values, first.table.rows[r].values) << r;
  const ExtractResult third = extract_features(jobs, options, ex);
  EXPECT_EQ(third.cache_hits, 3u) << "the recomputed entry was written back";
}

}  // namespace
}  // namespace audify
