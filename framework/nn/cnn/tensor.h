// The currency of the CNN layers: a batch of NCHW float32 images (row-major: sample, channel,
// row, column), and a named parameter with its gradient.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace audify::nn::cnn {

struct Shape {
  int n = 0, c = 0, h = 0, w = 0;  // batch, channels, height (mel bands), width (frames)
  std::size_t sample_size() const {
    return static_cast<std::size_t>(c) * static_cast<std::size_t>(h) * static_cast<std::size_t>(w);
  }
  std::size_t size() const { return static_cast<std::size_t>(n) * sample_size(); }
  bool operator==(const Shape&) const = default;
};

struct Tensor {
  Shape shape;
  std::vector<float> data;  // shape.size() floats

  Tensor() = default;
  explicit Tensor(Shape s, float fill = 0.0f) : shape(s), data(s.size(), fill) {}
  // Keeps the allocation when shrinking, so a smaller last batch costs nothing.
  void reshape(Shape s) {
    shape = s;
    data.resize(s.size());
  }
  float* sample(int i) { return data.data() + static_cast<std::size_t>(i) * shape.sample_size(); }
  const float* sample(int i) const {
    return data.data() + static_cast<std::size_t>(i) * shape.sample_size();
  }
};

struct Param {
  std::string name;  // e.g. "conv0.weight", the safetensors name
  std::vector<float> value, grad;
  explicit Param(std::string n, std::size_t size = 0)
      : name(std::move(n)), value(size, 0.0f), grad(size, 0.0f) {}
};

}  // namespace audify::nn::cnn
