// Reports put each benchmark's published figures beside the measured ones: which benchmark comes
// from the runs' class lists, so ESC-10 runs get Piczak's ESC-10 figures and a user's own classes
// none.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data/urbansound8k.h"
#include "report/published_figures.h"

namespace audify {
namespace {

std::vector<std::string> test_accuracies(const Table& t) {
  std::vector<std::string> out;
  for (const auto& row : t.rows) {
    EXPECT_EQ(row.back(), "published, not measured");
    out.push_back(row[4]);
  }
  return out;
}

TEST(PublishedFigures, TheBenchmarkComesFromTheClassList) {
  const std::vector<std::string> us8k(kUrbanSoundClasses.begin(), kUrbanSoundClasses.end());
  EXPECT_EQ(benchmark_of(us8k), Benchmark::urbansound8k);
  EXPECT_EQ(benchmark_of({"Dog bark", "Rain", "Sea waves", "Baby cry", "Clock tick",
                          "Person sneeze", "Helicopter", "Chainsaw", "Rooster", "Fire crackling"}),
            Benchmark::esc10);
  std::vector<std::string> esc10 = {
      "dog",         "rooster",  "rain",       "sea_waves",  "crackling_fire",
      "crying_baby", "sneezing", "clock_tick", "helicopter", "chainsaw"};
  EXPECT_EQ(benchmark_of(esc10), Benchmark::esc10);
  std::vector<std::string> esc50 = esc10;
  for (int i = 0; esc50.size() < 50; ++i) esc50.push_back("other" + std::to_string(i));
  EXPECT_EQ(benchmark_of(esc50), Benchmark::esc50);
  EXPECT_EQ(benchmark_of({"owl", "crow"}), Benchmark::none);
  esc10.pop_back();
  EXPECT_EQ(benchmark_of(esc10), Benchmark::none);
}

TEST(PublishedFigures, EachBenchmarkOnceWithItsOwnFigures) {
  RunResults esc10, esc10_again, own, us8k;
  esc10.class_names = {"Dog bark",      "Rain",       "Sea waves", "Baby cry", "Clock tick",
                       "Person sneeze", "Helicopter", "Chainsaw",  "Rooster",  "Fire crackling"};
  esc10_again.class_names = esc10.class_names;
  own.class_names = {"owl", "crow"};
  us8k.class_names.assign(kUrbanSoundClasses.begin(), kUrbanSoundClasses.end());

  EXPECT_EQ(test_accuracies(published_table({&esc10, &own, &esc10_again})),
            (std::vector<std::string>{"66.7", "67.5", "72.7", "≈ 80", "95.7"}));
  EXPECT_TRUE(published_table({&own}).rows.empty());
  const std::vector<std::string> both = test_accuracies(published_table({&us8k, &esc10}));
  ASSERT_EQ(both.size(), 10u);
  EXPECT_EQ(both.front(), "78.28");
  EXPECT_EQ(both.back(), "95.7");
}

// A run's difference to the published row of its benchmark, model family and protocol.
TEST(PublishedFigures, DifferenceToTheMatchingPublishedRow) {
  RunResults r;
  r.class_names.assign(kUrbanSoundClasses.begin(), kUrbanSoundClasses.end());
  r.data_source = "/data/UrbanSound8K";
  r.model_kind = "mlp";
  r.split_kind = "random";
  r.test_accuracy = 0.80;
  EXPECT_EQ(published_difference(r), "+1.72 vs seed study (78.28)");
  r.split_kind = "grouped";  // no published figure for this protocol
  EXPECT_EQ(published_difference(r), "—");
  r.model_kind = "sb_cnn";
  r.split_kind = "kfold";
  r.test_accuracy = 0.70;
  EXPECT_EQ(published_difference(r), "-3.00 vs Salamon & Bello 2017 SB-CNN (≈ 73)");
  r.data_source = "/root/.cache/audify/synthetic/us8k";  // UrbanSound8K's names, not its clips
  EXPECT_EQ(published_difference(r), "— (synthetic data)");
  r.data_source = "/data/mine";
  r.class_names = {"owl", "crow"};
  EXPECT_EQ(published_difference(r), "—");
}

}  // namespace
}  // namespace audify
