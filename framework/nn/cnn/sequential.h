// A chain of CNN layers ending in class logits (N, classes, 1, 1): forward keeps every layer's
// output for backward, which runs the chain in reverse and leaves each parameter's gradient.
#pragma once

#include <memory>
#include <vector>

#include "nn/cnn/layer.h"

namespace audify::nn::cnn {

class Sequential {
 public:
  // `input`: one sample's shape (n is ignored), e.g. {0, 1, 128, 128}.
  explicit Sequential(Shape input) : input_(input) { input_.n = 1; }
  // Throws audify::Error (from the layer, naming it) when it does not fit the previous output.
  void add(std::unique_ptr<Layer> layer);

  // Logits (x.n, classes, 1, 1); x must outlive the next backward.
  const Tensor& forward(const Tensor& x, const Pass& pass);
  // dlogits = dL/dlogits of the last forward; sets every parameter's grad.
  void backward(const Tensor& dlogits);

  std::vector<Param*> params();
  // Every tensor a saved model holds, by name: the parameters' values, then the layers' buffers.
  std::vector<std::pair<std::string, std::vector<float>*>> state();
  std::size_t parameter_count();
  // Sum of the layers' regularisation penalties (Dense L2), the loss's extra term.
  double penalty() const;
  // Multiply-adds of one sample's forward pass.
  double forward_macs() const;
  // Threads each layer may use on a batch (1 by default); the results do not depend on it.
  void set_threads(int threads);
  Shape output_shape() const { return shapes_.back(); }
  Shape input_shape() const { return input_; }  // one sample's
  std::size_t size() const { return layers_.size(); }
  Layer& layer(std::size_t i) { return *layers_[i]; }

 private:
  Shape input_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<Shape> shapes_{};  // shapes_[i]: output of layer i for one sample
  const Tensor* x_ = nullptr;
  std::vector<Tensor> outputs_;  // outputs_[i]: layer i's output of the last forward
  Tensor grad_a_, grad_b_;       // alternating dL/d(activation) buffers
};

}  // namespace audify::nn::cnn
