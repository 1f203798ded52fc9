// A CNN described by configuration (tiny-cuda-nn style): a list of convolution blocks and dense
// layers, built into a Sequential. Each conv block is conv -> [batch norm] -> [max-pool] -> ReLU
// (pooling before the ReLU, as Salamon & Bello 2017 order it: the same function, cheaper); then
// flatten, and before every dense layer a dropout; hidden dense layers are ReLU with an L2 penalty.
// `model=cnn` spells the blocks as strings, `model=sb_cnn` is the preset sb_cnn_spec().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nn/cnn/sequential.h"

namespace audify::nn::cnn {

struct ConvBlockSpec {
  int filters = 0;
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1;
  int pool_h = 1, pool_w = 1;  // 1x1 = no pooling
  bool batch_norm = false;
  bool operator==(const ConvBlockSpec&) const = default;
};

// "FILTERSxKHxKW" then any of "+poolPHxPW", "+strideSHxSW", "+bn", e.g. "24x5x5+pool4x2",
// "32x3x3+bn+pool2x2". Throws audify::Error quoting `text` (and `where`) when it does not parse.
ConvBlockSpec parse_conv_block(std::string_view text, const std::string& where);
std::string to_string(const ConvBlockSpec& block);

struct CnnSpec {
  int bands = 128;   // input height: mel bands
  int frames = 128;  // input width: the window, in frames
  int classes = 10;
  std::vector<ConvBlockSpec> conv;
  std::vector<int> dense;  // hidden dense units, after the flatten
  double dropout = 0.5;    // before every dense layer (0 = none)
  double l2 = 1e-3;        // on every hidden dense layer's weights
};

// Salamon & Bello 2017: 24x5x5+pool4x2, 48x5x5+pool4x2, 48x5x5; dense 64; dropout 0.5; L2 1e-3.
CnnSpec sb_cnn_spec(int bands = 128, int frames = 128, int classes = 10);

// Keras's initialisers from Philox: layer i of the spec (convs, then denses) draws with index i.
// Throws audify::Error naming the layer when the input is too small for it.
Sequential make_cnn(const CnnSpec& spec, uint64_t seed);

}  // namespace audify::nn::cnn
