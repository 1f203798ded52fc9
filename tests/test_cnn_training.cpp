// The CNN trainer's pieces (nn/cnn/cnn_spec.h, clip_windows.h, cnn_fit.h) and the frame store
// (features/frame_store.h): block strings, windows and padding, mean-softmax inference, training
// to ~100 % on a separable set, determinism, early stopping, weight averaging, and the store's file
// format.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "core/error.h"
#include "features/frame_store.h"
#include "nn/cnn/cnn_fit.h"
#include "nn/cnn/cnn_spec.h"
#include "nn/cnn/cnn_trainer.h"
#include "nn/softmax_xent.h"
#include "test_support.h"

namespace audify::nn::cnn {
namespace {

TEST(ConvBlockSpec, ParsesEveryPartAndPrintsBack) {
  const ConvBlockSpec b = parse_conv_block("32x3x5+bn+pool2x4+stride1x2", "test");
  EXPECT_EQ(b.filters, 32);
  EXPECT_EQ(b.kernel_h, 3);
  EXPECT_EQ(b.kernel_w, 5);
  EXPECT_TRUE(b.batch_norm);
  EXPECT_EQ(b.pool_h, 2);
  EXPECT_EQ(b.pool_w, 4);
  EXPECT_EQ(b.stride_w, 2);
  EXPECT_EQ(parse_conv_block(to_string(b), "round trip"), b);
  const ConvBlockSpec square = parse_conv_block("8x3", "test");  // "3" = 3x3
  EXPECT_EQ(square.kernel_w, 3);
  EXPECT_EQ(to_string(square), "8x3x3");
}

TEST(ConvBlockSpec, BadTextIsAnErrorQuotingIt) {
  for (const char* bad : {"", "x5x5", "24", "24x0x5", "24x5x5+pool", "24x5x5+max2x2", "24x5x5+",
                          "-3x5x5", "24x5x5+pool2x2x2"}) {
    try {
      parse_conv_block(bad, "model.conv[1]");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("model.conv[1]"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST(CnnSpec, SbCnnPresetIsThePapersNetwork) {
  Sequential net = make_cnn(sb_cnn_spec(), 3);
  EXPECT_EQ(net.parameter_count(), 241434u);
  CnnSpec tiny = sb_cnn_spec(128, 16);  // too few frames for three 5x5 convs after two pools
  EXPECT_THROW(make_cnn(tiny, 0), Error);
}

TEST(ClipWindows, CopyTransposesScalesAndPadsWithTheFloor) {
  // 3 frames x 2 bands: frame f, band b = 10 f + b.
  const std::vector<float> clip = {0, 1, 10, 11, 20, 21};
  std::vector<float> image(2 * 5);
  copy_window(clip, 2, 1, 5, {1.0f, 0.5f}, image.data());
  // Rows are bands, columns frames 1, 2, then 3 pad columns of (min - mean) * inv_std = -0.5.
  const std::vector<float> expected = {4.5f, 9.5f,  -0.5f, -0.5f, -0.5f,
                                       5.0f, 10.0f, -0.5f, -0.5f, -0.5f};
  EXPECT_EQ(image, expected);
}

TEST(ClipWindows, StartsCoverTheClipAtTheHop) {
  EXPECT_EQ(window_starts(173, 128, 16), (std::vector<int>{0, 16, 32}));
  EXPECT_EQ(window_starts(100, 128, 16), (std::vector<int>{0}));
  EXPECT_EQ(window_starts(128, 128, 16), (std::vector<int>{0}));
  std::vector<int> seen(46, 0);
  for (uint32_t clip = 0; clip < 2000; ++clip) {
    const int s = random_window_start(173, 128, 5, 1, clip);
    ASSERT_GE(s, 0);
    ASSERT_LE(s, 45);
    ++seen[static_cast<std::size_t>(s)];
    EXPECT_EQ(s, random_window_start(173, 128, 5, 1, clip));  // a pure function
  }
  for (int count : seen) EXPECT_GT(count, 10);  // every start is drawn
  EXPECT_EQ(random_window_start(100, 128, 5, 1, 0), 0);
}

// Two classes of 8-band clips: class 0 has energy in the low bands, class 1 in the high ones, at
// random positions in time; lengths vary around the window.
struct ToySet {
  std::vector<std::vector<float>> data;
  std::vector<int> labels;
  ClipSpectrograms clips() const {
    ClipSpectrograms c{8, {}, {}};
    for (const auto& d : data) c.clips.emplace_back(d);
    return c;
  }
};

ToySet toy_set(int n, unsigned seed) {
  ToySet s;
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  for (int i = 0; i < n; ++i) {
    const int label = i % 2;
    const int frames = 12 + static_cast<int>(rng() % 12);
    std::vector<float> d(static_cast<std::size_t>(frames) * 8);
    const int at = static_cast<int>(rng() % static_cast<unsigned>(frames - 4));
    for (int f = 0; f < frames; ++f)
      for (int b = 0; b < 8; ++b) {
        const bool on = f >= at && f < at + 4 && (label == 0 ? b < 4 : b >= 4);
        d[static_cast<std::size_t>(f) * 8 + b] = (on ? 3.0f : 0.0f) + noise(rng);
      }
    s.data.push_back(std::move(d));
    s.labels.push_back(label);
  }
  return s;
}

CnnSpec toy_spec() {
  CnnSpec s;
  s.bands = 8;
  s.frames = 16;
  s.classes = 2;
  s.conv = {parse_conv_block("6x3x3+pool2x2", "toy")};
  s.dense = {8};
  s.dropout = 0.0;
  s.l2 = 0.0;
  return s;
}

TrainConfig toy_train() {
  TrainConfig t;
  t.epochs = 30;
  t.batch_size = 8;
  t.lr = 0.01;
  t.standardize = true;
  t.seed = 4;
  return t;
}

double accuracy(const Matrix& p, const std::vector<int>& labels) {
  int hits = 0;
  for (std::size_t r = 0; r < p.rows; ++r) hits += (p(r, 1) > p(r, 0) ? 1 : 0) == labels[r] ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(p.rows);
}

TEST(CnnFit, LearnsASeparableSetAndIsDeterministic) {
  const ToySet train = toy_set(64, 1), test = toy_set(40, 2);
  const WindowConfig w{16, 4};
  std::vector<double> losses[2];
  Matrix predictions[2];
  for (int run = 0; run < 2; ++run) {
    Sequential net = make_cnn(toy_spec(), 9);
    const CnnFitResult r =
        fit_cnn(net, train.clips(), train.labels, toy_train(), w,
                [&](const EpochStats& s, const InputScaling&) { losses[run].push_back(s.loss); });
    predictions[run] = predict_clips(net, test.clips(), w, r.scaling);
    EXPECT_GE(accuracy(predictions[run], test.labels), 0.97);
    EXPECT_NE(r.scaling.inv_std, 1.0f);  // measured on the training clips
  }
  EXPECT_EQ(losses[0].size(), 30u);
  EXPECT_LT(losses[0].back(), losses[0].front() * 0.2);
  EXPECT_EQ(losses[0], losses[1]);
  EXPECT_EQ(predictions[0].data, predictions[1].data);
}

TEST(ClipWindows, EpochCopiesAreTheClipThenEachVariantOnce) {
  std::vector<std::size_t> versions;
  for (std::size_t copy = 0; copy <= 8; ++copy)
    versions.push_back(epoch_copy_version(8, copy, 5, 3, 7));
  EXPECT_EQ(versions[0], 0u);  // the clip itself
  std::vector<std::size_t> variants(versions.begin() + 1, versions.end());
  std::sort(variants.begin(), variants.end());
  EXPECT_EQ(variants, (std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(epoch_copy_version(8, 9, 5, 3, 7), versions[1]);  // more copies than variants wrap
  EXPECT_EQ(epoch_copy_version(0, 2, 5, 3, 7), 0u);
  std::set<std::size_t> firsts;  // the order is drawn afresh each epoch
  for (uint32_t epoch = 1; epoch <= 20; ++epoch)
    firsts.insert(epoch_copy_version(8, 1, 5, epoch, 7));
  EXPECT_GT(firsts.size(), 3u);
}

TEST(CnnFit, VersionsPerEpochTrainsOnTheClipAndItsVariants) {
  const ToySet train = toy_set(24, 1), shifted = toy_set(24, 1), test = toy_set(40, 2);
  // Two variants per clip: the clip itself, and the clip one unit louder.
  std::vector<std::vector<float>> louder = shifted.data;
  for (auto& d : louder)
    for (float& v : d) v += 1.0f;
  const WindowConfig w{16, 4};
  TrainConfig cfg = toy_train();
  cfg.epochs = 3;
  const auto steps_per_epoch = [&](int versions, Matrix* p = nullptr) {
    ClipSpectrograms clips = train.clips();
    for (std::size_t i = 0; i < clips.size(); ++i)
      clips.variants.push_back({clips.clips[i], std::span<const float>(louder[i])});
    clips.versions_per_epoch = versions;
    Sequential net = make_cnn(toy_spec(), 9);
    std::vector<int64_t> steps;
    const CnnFitResult r =
        fit_cnn(net, clips, train.labels, cfg, w,
                [&](const EpochStats& s, const InputScaling&) { steps.push_back(s.steps); });
    if (p) *p = predict_clips(net, test.clips(), w, r.scaling);
    return steps.at(1) - steps.at(0);
  };
  EXPECT_EQ(steps_per_epoch(1), 3);  // 24 clips, batches of 8: one version each
  EXPECT_EQ(steps_per_epoch(2), 6);  // the clip and one variant
  EXPECT_EQ(steps_per_epoch(3), 9);  // the clip and both variants
  EXPECT_EQ(steps_per_epoch(0), 9);  // all of them
  EXPECT_EQ(steps_per_epoch(7), 9);  // capped at all of them
  Matrix a, b;
  steps_per_epoch(3, &a);
  steps_per_epoch(3, &b);
  EXPECT_EQ(a.data, b.data);  // deterministic
  ClipSpectrograms bad = train.clips();
  bad.versions_per_epoch = -1;
  Sequential net = make_cnn(toy_spec(), 9);
  EXPECT_THROW(fit_cnn(net, bad, train.labels, cfg, w, {}), Error);
}

TEST(CnnFit, PredictionIsTheMeanSoftmaxOfTheWindows) {
  const ToySet set = toy_set(1, 3);
  Sequential net = make_cnn(toy_spec(), 2);
  const WindowConfig w{16, 4};
  const InputScaling scaling{0.5f, 2.0f};
  const ClipSpectrograms clips = set.clips();
  const Matrix p = predict_clips(net, clips, w, scaling);
  std::vector<double> mean(2, 0.0);
  const std::vector<int> starts = window_starts(clips.frames(0), 16, 4);
  for (int s : starts) {
    Tensor x({1, 1, 8, 16});
    copy_window(clips.clips[0], 8, s, 16, scaling, x.sample(0));
    std::vector<float> z = net.forward(x, Pass{}).data;
    softmax_rows(1, 2, z.data(), 2);
    for (int c = 0; c < 2; ++c) mean[c] += z[c] / static_cast<double>(starts.size());
  }
  EXPECT_NEAR(p(0, 0), mean[0], 1e-6);
  EXPECT_NEAR(p(0, 1), mean[1], 1e-6);
  EXPECT_NEAR(p(0, 0) + p(0, 1), 1.0, 1e-6);
}

TEST(CnnFit, EarlyStoppingRestoresTheBestEpoch) {
  const ToySet set = toy_set(60, 5);
  TrainConfig t = toy_train();
  t.epochs = 40;
  t.lr = 0.05;  // large enough that validation loss wanders after it converges
  t.validation_fraction = 0.25;
  t.early_stopping_patience = 3;
  Sequential net = make_cnn(toy_spec(), 1);
  const CnnFitResult r = fit_cnn(net, set.clips(), set.labels, t, {16, 4}, {});
  ASSERT_FALSE(r.history.epochs.empty());
  double best = 1e9;
  for (const EpochStats& e : r.history.epochs) {
    ASSERT_FALSE(std::isnan(e.val_loss));
    best = std::min(best, e.val_loss);
  }
  EXPECT_EQ(r.history.epochs[static_cast<std::size_t>(r.history.best_epoch - 1)].val_loss, best);
  // The network now holds the best epoch's weights: its validation loss is that epoch's.
  ClipSpectrograms val{8, {}, {}};
  std::vector<int> val_labels;
  for (std::size_t i = 45; i < 60; ++i) {
    val.clips.emplace_back(set.data[i]);
    val_labels.push_back(set.labels[i]);
  }
  const Matrix p = predict_clips(net, val, {16, 4}, r.scaling);
  double loss = 0;
  for (std::size_t i = 0; i < p.rows; ++i)
    loss -= std::log(std::clamp(static_cast<double>(p(i, val_labels[i])), 1e-7, 1 - 1e-7));
  EXPECT_NEAR(loss / static_cast<double>(p.rows), best, 1e-9);
}

TEST(CnnFit, AverageEpochsEndsOnTheMeanOfTheLastEpochsWeights) {
  const ToySet set = toy_set(32, 8);
  const auto weights = [](Sequential& net) {
    std::vector<float> all;
    for (auto& [name, values] : net.state()) all.insert(all.end(), values->begin(), values->end());
    return all;
  };
  TrainConfig t = toy_train();
  t.epochs = 6;
  std::vector<std::vector<float>> per_epoch;
  std::vector<double> plain_losses;
  Sequential plain = make_cnn(toy_spec(), 2);
  fit_cnn(plain, set.clips(), set.labels, t, {16, 4},
          [&](const EpochStats& s, const InputScaling&) {
            per_epoch.push_back(weights(plain));
            plain_losses.push_back(s.loss);
          });
  ASSERT_EQ(per_epoch.size(), 6u);
  EXPECT_EQ(weights(plain), per_epoch.back());  // without averaging: the last epoch's
  for (int k : {1, 3}) {
    t.average_epochs = k;
    Sequential net = make_cnn(toy_spec(), 2);
    std::vector<double> losses;
    fit_cnn(net, set.clips(), set.labels, t, {16, 4},
            [&](const EpochStats& s, const InputScaling&) { losses.push_back(s.loss); });
    EXPECT_EQ(losses, plain_losses) << "averaging changed training itself";
    const std::vector<float> got = weights(net);
    ASSERT_EQ(got.size(), per_epoch.back().size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      double mean = 0;
      for (int e = 6 - k; e < 6; ++e) mean += per_epoch[static_cast<std::size_t>(e)][i] / k;
      ASSERT_NEAR(got[i], mean, 1e-6 * (1 + std::abs(mean))) << "k " << k << " value " << i;
    }
    if (k == 1) {
      EXPECT_EQ(got, per_epoch.back());
    } else {
      EXPECT_NE(got, per_epoch.back());
    }
  }
  t.average_epochs = 7;  // more than there are epochs
  Sequential net = make_cnn(toy_spec(), 2);
  EXPECT_THROW(fit_cnn(net, set.clips(), set.labels, t, {16, 4}, {}), Error);
  t.average_epochs = 2;
  t.validation_fraction = 0.25;
  t.early_stopping_patience = 2;  // both would choose the final weights
  EXPECT_THROW(fit_cnn(net, set.clips(), set.labels, t, {16, 4}, {}), Error);
}

TEST(CnnFit, MixedTargetsTrainToo) {
  const ToySet set = toy_set(64, 6);
  Sequential net = make_cnn(toy_spec(), 3);
  int calls = 0;
  const auto soften = [&](Tensor&, std::vector<float>& targets, std::span<const uint32_t> clips,
                          int, const InputScaling&) {
    ++calls;
    for (std::size_t k = 0; k < clips.size(); ++k) {  // label smoothing: 0.9 / 0.1
      targets[2 * k] = targets[2 * k] * 0.8f + 0.1f;
      targets[2 * k + 1] = targets[2 * k + 1] * 0.8f + 0.1f;
    }
  };
  const CnnFitResult r = fit_cnn(net, set.clips(), set.labels, toy_train(), {16, 4}, {}, soften);
  EXPECT_EQ(calls, 30 * 8);
  EXPECT_GE(accuracy(predict_clips(net, set.clips(), {16, 4}, r.scaling), set.labels), 0.97);
}

TEST(CnnFit, SgdWithMomentumStepsAndLearns) {
  const ToySet set = toy_set(64, 7);
  {
    // The first step: v = g, so w moves by -lr g exactly.
    Sequential net = make_cnn(toy_spec(), 5);
    const std::vector<float> before = net.params().front()->value;
    CnnTrainer trainer(net, AdamHyper{.lr = 0.1}, 1, SgdMomentum{true, 0.9});
    Tensor x({2, 1, 8, 16});
    copy_window(set.clips().clips[0], 8, 0, 16, {}, x.sample(0));
    copy_window(set.clips().clips[1], 8, 0, 16, {}, x.sample(1));
    trainer.step(x, std::vector<int>{set.labels[0], set.labels[1]});
    const Param& w = *net.params().front();
    for (std::size_t i = 0; i < before.size(); ++i)
      EXPECT_NEAR(w.value[i], before[i] - 0.1f * w.grad[i], 1e-6f);
  }
  Sequential net = make_cnn(toy_spec(), 5);
  TrainConfig t = toy_train();
  t.optimizer = "sgd";
  t.lr = 0.05;
  const CnnFitResult r = fit_cnn(net, set.clips(), set.labels, t, {16, 4}, {});
  EXPECT_GE(accuracy(predict_clips(net, set.clips(), {16, 4}, r.scaling), set.labels), 0.97);
  t.optimizer = "rmsprop";
  EXPECT_THROW(fit_cnn(net, set.clips(), set.labels, t, {16, 4}, {}), Error);
}

}  // namespace
}  // namespace audify::nn::cnn

namespace audify {
namespace {

TEST(FrameStore, RoundTripsThroughItsFileAndCatchesCorruption) {
  FrameStore store(3);
  Matrix a(2, 3), b(4, 3);
  for (std::size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<float>(i);
  for (std::size_t i = 0; i < b.data.size(); ++i) b.data[i] = -static_cast<float>(i) * 0.5f;
  store.append(a);
  store.append(b);
  EXPECT_THROW(store.append(Matrix(2, 4)), Error);
  test::TempDir dir("frame_store");
  const auto path = dir.path() / "x.frames";
  store.save(path, "notes here");
  std::string notes;
  const FrameStore back = FrameStore::load(path, &notes);
  EXPECT_EQ(notes, "notes here");
  ASSERT_EQ(back.clips(), 2u);
  EXPECT_EQ(back.frames(1), 4);
  EXPECT_EQ(std::vector<float>(back.clip(1).begin(), back.clip(1).end()), b.data);
  const FrameStore only_b = store.subset(std::vector<std::size_t>{1});
  EXPECT_EQ(std::vector<float>(only_b.clip(0).begin(), only_b.clip(0).end()), b.data);

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() - 12] ^= 0x40;  // a float of the last clip
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  try {
    FrameStore::load(path);
    ADD_FAILURE() << "a corrupt store loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes.substr(0, 30);
  }
  EXPECT_THROW(FrameStore::load(path), Error);
}

}  // namespace
}  // namespace audify
