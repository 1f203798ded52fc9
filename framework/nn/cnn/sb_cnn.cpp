#include "nn/cnn/sb_cnn.h"

#include <memory>

#include "nn/cnn/conv2d.h"
#include "nn/cnn/dense.h"
#include "nn/cnn/dropout.h"
#include "nn/cnn/flatten.h"
#include "nn/cnn/max_pool2d.h"
#include "nn/cnn/relu.h"

namespace audify::nn::cnn {

Sequential make_sb_cnn(const SbCnnConfig& c, uint64_t seed) {
  Sequential net({0, 1, c.mel_bands, c.frames});
  auto conv = [&](int channels, int filters, uint32_t index) {
    net.add(std::make_unique<Conv2d>(
        Conv2dConfig{.channels = channels, .filters = filters, .kernel_h = 5, .kernel_w = 5},
        "conv" + std::to_string(index), InitSeed{seed, index}));
  };
  conv(1, 24, 0);
  net.add(std::make_unique<MaxPool2d>(4, 2, "pool0"));
  net.add(std::make_unique<Relu>());
  conv(24, 48, 1);
  net.add(std::make_unique<MaxPool2d>(4, 2, "pool1"));
  net.add(std::make_unique<Relu>());
  conv(48, 48, 2);
  net.add(std::make_unique<Relu>());
  net.add(std::make_unique<Flatten>());
  const int flat = net.output_shape().c;
  net.add(std::make_unique<Dropout>(c.dropout, 0, "dropout0"));
  net.add(std::make_unique<Dense>(flat, 64, c.l2, "dense0", InitSeed{seed, 3}));
  net.add(std::make_unique<Relu>());
  net.add(std::make_unique<Dropout>(c.dropout, 1, "dropout1"));
  net.add(std::make_unique<Dense>(64, c.classes, 0.0, "dense1", InitSeed{seed, 4}));
  return net;
}

}  // namespace audify::nn::cnn
