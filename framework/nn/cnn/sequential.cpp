#include "nn/cnn/sequential.h"

#include "core/error.h"
#include "nn/cnn/dense.h"

namespace audify::nn::cnn {

void Sequential::add(std::unique_ptr<Layer> layer) {
  const Shape in = shapes_.empty() ? input_ : shapes_.back();
  shapes_.push_back(layer->output_shape(in));
  layers_.push_back(std::move(layer));
  outputs_.emplace_back();
}

const Tensor& Sequential::forward(const Tensor& x, const Pass& pass) {
  AUDIFY_ASSERT(!layers_.empty());
  if (x.shape.c != input_.c || x.shape.h != input_.h || x.shape.w != input_.w)
    fail("cnn: input samples are {}x{}x{}, the network expects {}x{}x{}", x.shape.c, x.shape.h,
         x.shape.w, input_.c, input_.h, input_.w);
  x_ = &x;
  const Tensor* in = &x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->forward(*in, outputs_[i], pass);
    in = &outputs_[i];
  }
  return outputs_.back();
}

void Sequential::backward(const Tensor& dlogits) {
  AUDIFY_ASSERT(x_ != nullptr && dlogits.shape == outputs_.back().shape);
  const Tensor* dy = &dlogits;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    const Tensor& x = i == 0 ? *x_ : outputs_[i - 1];
    Tensor* dx = i == 0 ? nullptr : (dy == &grad_a_ ? &grad_b_ : &grad_a_);
    layers_[i]->backward(x, outputs_[i], *dy, dx);
    dy = dx;
  }
}

std::vector<Param*> Sequential::params() {
  std::vector<Param*> out;
  for (auto& layer : layers_)
    for (Param* p : layer->params()) out.push_back(p);
  return out;
}

std::vector<std::pair<std::string, std::vector<float>*>> Sequential::state() {
  std::vector<std::pair<std::string, std::vector<float>*>> out;
  for (Param* p : params()) out.emplace_back(p->name, &p->value);
  for (auto& layer : layers_)
    for (auto& buffer : layer->buffers()) out.push_back(buffer);
  return out;
}

void Sequential::set_threads(int threads) {
  for (auto& layer : layers_) layer->set_threads(threads);
}

std::size_t Sequential::parameter_count() {
  std::size_t n = 0;
  for (Param* p : params()) n += p->value.size();
  return n;
}

double Sequential::penalty() const {
  double sum = 0;
  for (const auto& layer : layers_)
    if (const auto* dense = dynamic_cast<const Dense*>(layer.get())) sum += dense->penalty();
  return sum;
}

double Sequential::forward_macs() const {
  double macs = 0;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    macs += layers_[i]->forward_macs(i == 0 ? input_ : shapes_[i - 1]);
  return macs;
}

}  // namespace audify::nn::cnn
