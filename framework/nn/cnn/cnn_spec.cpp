#include "nn/cnn/cnn_spec.h"

#include <fmt/format.h>

#include <charconv>
#include <memory>

#include "core/error.h"
#include "nn/cnn/batch_norm.h"
#include "nn/cnn/conv2d.h"
#include "nn/cnn/dense.h"
#include "nn/cnn/dropout.h"
#include "nn/cnn/flatten.h"
#include "nn/cnn/max_pool2d.h"
#include "nn/cnn/relu.h"

namespace audify::nn::cnn {
namespace {

// "AxB" (or "A" for a square) into two positive ints; false when it does not parse.
bool parse_pair(std::string_view s, int& a, int& b) {
  const auto x = s.find('x');
  const std::string_view first = s.substr(0, x), second = x == s.npos ? first : s.substr(x + 1);
  const auto parse = [](std::string_view t, int& v) {
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc() && end == t.data() + t.size() && v > 0;
  };
  return parse(first, a) && parse(second, b);
}

}  // namespace

ConvBlockSpec parse_conv_block(std::string_view text, const std::string& where) {
  const auto bad = [&](std::string_view why) -> ConvBlockSpec {
    fail(
        "{}: conv block '{}': {} (expected FILTERSxKHxKW then +poolPHxPW, +strideSHxSW, +bn; "
        "e.g. \"24x5x5+pool4x2\")",
        where, text, why);
  };
  std::vector<std::string_view> parts;
  for (std::size_t from = 0;;) {
    const auto plus = text.find('+', from);
    parts.push_back(text.substr(from, plus == text.npos ? text.npos : plus - from));
    if (plus == text.npos) break;
    from = plus + 1;
  }
  ConvBlockSpec b;
  const std::string_view head = parts.front();
  const auto x = head.find('x');
  if (x == head.npos) return bad("no kernel size");
  const auto [end, ec] = std::from_chars(head.data(), head.data() + x, b.filters);
  if (ec != std::errc() || end != head.data() + x || b.filters <= 0) return bad("bad filter count");
  if (!parse_pair(head.substr(x + 1), b.kernel_h, b.kernel_w)) return bad("bad kernel size");
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (part == "bn") {
      b.batch_norm = true;
    } else if (part.starts_with("pool")) {
      if (!parse_pair(part.substr(4), b.pool_h, b.pool_w)) return bad("bad pool size");
    } else if (part.starts_with("stride")) {
      if (!parse_pair(part.substr(6), b.stride_h, b.stride_w)) return bad("bad stride");
    } else {
      return bad(fmt::format("unknown part '{}'", part));
    }
  }
  return b;
}

std::string to_string(const ConvBlockSpec& b) {
  std::string s = fmt::format("{}x{}x{}", b.filters, b.kernel_h, b.kernel_w);
  if (b.stride_h != 1 || b.stride_w != 1) s += fmt::format("+stride{}x{}", b.stride_h, b.stride_w);
  if (b.batch_norm) s += "+bn";
  if (b.pool_h != 1 || b.pool_w != 1) s += fmt::format("+pool{}x{}", b.pool_h, b.pool_w);
  return s;
}

CnnSpec sb_cnn_spec(int bands, int frames, int classes) {
  CnnSpec s;
  s.bands = bands;
  s.frames = frames;
  s.classes = classes;
  s.conv = {{.filters = 24, .kernel_h = 5, .kernel_w = 5, .pool_h = 4, .pool_w = 2},
            {.filters = 48, .kernel_h = 5, .kernel_w = 5, .pool_h = 4, .pool_w = 2},
            {.filters = 48, .kernel_h = 5, .kernel_w = 5}};
  s.dense = {64};
  s.dropout = 0.5;
  s.l2 = 1e-3;
  return s;
}

Sequential make_cnn(const CnnSpec& spec, uint64_t seed) {
  if (spec.classes < 2) fail("cnn: {} classes; a classifier needs two or more", spec.classes);
  if (!(spec.dropout >= 0 && spec.dropout < 1))
    fail("model.dropout must lie in [0, 1), got {}", spec.dropout);
  if (!(spec.l2 >= 0)) fail("model.l2 must not be negative, got {}", spec.l2);
  Sequential net({0, 1, spec.bands, spec.frames});
  uint32_t index = 0;
  int channels = 1;
  for (std::size_t i = 0; i < spec.conv.size(); ++i) {
    const ConvBlockSpec& b = spec.conv[i];
    net.add(std::make_unique<Conv2d>(Conv2dConfig{.channels = channels,
                                                  .filters = b.filters,
                                                  .kernel_h = b.kernel_h,
                                                  .kernel_w = b.kernel_w,
                                                  .stride_h = b.stride_h,
                                                  .stride_w = b.stride_w},
                                     fmt::format("conv{}", i), InitSeed{seed, index++}));
    if (b.batch_norm) net.add(std::make_unique<BatchNorm>(b.filters, fmt::format("bn{}", i)));
    if (b.pool_h != 1 || b.pool_w != 1)
      net.add(std::make_unique<MaxPool2d>(b.pool_h, b.pool_w, fmt::format("pool{}", i)));
    net.add(std::make_unique<Relu>());
    channels = b.filters;
  }
  net.add(std::make_unique<Flatten>());
  int inputs = net.output_shape().c;
  const auto dense = [&](int units, double l2, std::size_t i) {
    if (spec.dropout > 0)
      net.add(std::make_unique<Dropout>(spec.dropout, static_cast<uint32_t>(i),
                                        fmt::format("dropout{}", i)));
    net.add(std::make_unique<Dense>(inputs, units, l2, fmt::format("dense{}", i),
                                    InitSeed{seed, index++}));
    inputs = units;
  };
  for (std::size_t i = 0; i < spec.dense.size(); ++i) {
    if (spec.dense[i] <= 0) fail("model.dense[{}]: {} units must be > 0", i, spec.dense[i]);
    dense(spec.dense[i], spec.l2, i);
    net.add(std::make_unique<Relu>());
  }
  dense(spec.classes, 0.0, spec.dense.size());
  return net;
}

}  // namespace audify::nn::cnn
