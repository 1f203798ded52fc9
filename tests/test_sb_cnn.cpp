// model=sb_cnn's network (nn/cnn/sb_cnn.h) against the PyTorch peer's definition
// (../shared/peers/peer_sbcnn.py): shapes, parameter count and multiply-adds, and a few Adam steps
// that must fit a fixed batch.
#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "nn/cnn/cnn_trainer.h"
#include "nn/cnn/sb_cnn.h"

namespace audify::nn::cnn {
namespace {

TEST(SbCnn, MatchesThePeersShapesParametersAndMultiplyAdds) {
  Sequential net = make_sb_cnn({}, 1);
  // conv 5x5: 128 -> 124, pool (4,2) -> 31x62; conv -> 27x58, pool -> 6x29; conv -> 2x25.
  EXPECT_EQ(net.layer(7).output_shape({1, 48, 2, 25}), (Shape{1, 48, 2, 25}));
  EXPECT_EQ(net.layer(8).output_shape({1, 48, 2, 25}), (Shape{1, 2400, 1, 1}));
  EXPECT_EQ(net.output_shape(), (Shape{1, 10, 1, 1}));
  // PyTorch's sum of p.numel(): 624 + 28848 + 57648 + 153664 + 650.
  EXPECT_EQ(net.parameter_count(), 241434u);
  const double peer_macs = 124.0 * 124 * 24 * 25 + 27.0 * 58 * 48 * 24 * 25 +
                           2.0 * 25 * 48 * 48 * 25 + 2400.0 * 64 + 64.0 * 10;
  EXPECT_DOUBLE_EQ(net.forward_macs(), peer_macs);
  EXPECT_THROW(make_sb_cnn({.mel_bands = 40, .frames = 128}, 1), Error);  // too few bands
}

TEST(SbCnn, AdamStepsFitAFixedBatchAndRepeatForASeed) {
  Tensor x({4, 1, 128, 128});
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& v : x.data) v = normal(rng);
  const std::vector<int> labels = {0, 3, 7, 9};
  auto train = [&](uint64_t seed, double* first_loss, double* last_loss) {
    Sequential net = make_sb_cnn({.dropout = 0.0}, seed);
    CnnTrainer trainer(net, AdamHyper{}, seed);
    for (int s = 0; s < 15; ++s) {
      const double loss = trainer.step(x, labels).loss_sum / 4;
      if (s == 0) *first_loss = loss;
      *last_loss = loss;
    }
    return predict(net, x);
  };
  double first = 0, last = 0, first_again = 0, last_again = 0;
  EXPECT_EQ(train(5, &first, &last), labels);
  std::printf("  sb_cnn on 4 fixed windows: loss %.3f -> %.3f in 15 steps\n", first, last);
  EXPECT_LT(last, 0.2 * first);
  train(5, &first_again, &last_again);
  EXPECT_EQ(first_again, first);
  EXPECT_EQ(last_again, last);
}

}  // namespace
}  // namespace audify::nn::cnn
