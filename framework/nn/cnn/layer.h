// One CNN layer: a forward pass over a batch and the backward pass of the same batch. Layers keep
// what backward needs from their last forward (pooling argmaxes, dropout masks, batch statistics),
// so forward and backward alternate, one batch at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nn/cnn/tensor.h"

namespace audify::nn::cnn {

struct Pass {
  bool training = false;  // dropout on, batch norm on batch statistics
  uint64_t seed = 0;      // dropout masks: Philox(seed, step, layer, element)
  uint32_t step = 0;
};

class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::string_view kind() const = 0;
  // Throws audify::Error naming the layer when `in` does not fit it.
  virtual Shape output_shape(const Shape& in) const = 0;
  // y = f(x); y is reshaped to output_shape(x.shape).
  virtual void forward(const Tensor& x, Tensor& y, const Pass& pass) = 0;
  // With x and y of the last forward and dy = dL/dy: sets every parameter's grad to dL/dparam and,
  // when dx is given, dx = dL/dx (the first layer of a network skips it).
  virtual void backward(const Tensor& x, const Tensor& y, const Tensor& dy, Tensor* dx) = 0;
  virtual std::vector<Param*> params() { return {}; }
  // State that is part of the model but not trained by the optimizer (batch-norm running
  // statistics), named as in the saved file.
  virtual std::vector<std::pair<std::string, std::vector<float>*>> buffers() { return {}; }
  // Threads for the layer's work on a batch (the convolutions use them; results do not depend
  // on the count).
  virtual void set_threads(int threads) { (void)threads; }
  // Multiply-adds of one sample's forward pass (benchmarks' FLOP counts).
  virtual double forward_macs(const Shape& in) const {
    (void)in;
    return 0;
  }
};

}  // namespace audify::nn::cnn
