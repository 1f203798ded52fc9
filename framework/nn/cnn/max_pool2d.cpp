// Backward writes every input element once (windows tile the input, cloned per instruction set so
// the select vectorises) instead of clearing dx and scattering into it: 12 ms instead of 21 ms for
// SB-CNN's first pooling at batch 32.
#include "nn/cnn/max_pool2d.h"

#include <algorithm>
#include <cstddef>

#include "core/error.h"
#include "core/parallel_jobs.h"
#include "core/simd.h"

namespace audify::nn::cnn {
namespace {

struct PlaneGeometry {
  int height, width, pool_h, pool_w, out_h, out_w;
};

// One channel plane: dst (out_h, out_w) and arg (the winner's index in the plane). Each output
// keeps its running maximum in registers (a pass over `dst` per window element was 3x slower).
void pool_plane(const PlaneGeometry& g, const float* src, float* dst, int32_t* arg) {
  for (int oy = 0; oy < g.out_h; ++oy) {
    const int32_t top = oy * g.pool_h * g.width;
    for (int ox = 0; ox < g.out_w; ++ox) {
      const int32_t corner = top + ox * g.pool_w;
      int32_t best = corner;
      float best_value = src[corner];
      // Row-major over the window with a strict >, so ties keep the first maximum.
      for (int i = 0; i < g.pool_h; ++i) {
        const float* row = src + corner + i * g.width;
        for (int j = 0; j < g.pool_w; ++j)
          if (row[j] > best_value) {
            best_value = row[j];
            best = corner + i * g.width + j;
          }
      }
      dst[static_cast<std::ptrdiff_t>(oy) * g.out_w + ox] = best_value;
      arg[static_cast<std::ptrdiff_t>(oy) * g.out_w + ox] = best;
    }
  }
}

AUDIFY_TARGET_CLONES void unpool_plane(const PlaneGeometry& g, const float* grad_out,
                                       const int32_t* arg, float* grad_in) {
  for (int oy = 0; oy < g.out_h; ++oy) {
    const float* go = grad_out + static_cast<std::ptrdiff_t>(oy) * g.out_w;
    const int32_t* at = arg + static_cast<std::ptrdiff_t>(oy) * g.out_w;
    for (int i = 0; i < g.pool_h; ++i) {
      const int32_t row = (oy * g.pool_h + i) * g.width;
      for (int j = 0; j < g.pool_w; ++j)
        for (int ox = 0; ox < g.out_w; ++ox) {
          const int32_t index = row + ox * g.pool_w + j;
          grad_in[index] = at[ox] == index ? go[ox] : 0.0f;
        }
      std::fill(grad_in + row + g.out_w * g.pool_w, grad_in + row + g.width, 0.0f);  // floor
    }
  }
  std::fill(grad_in + g.out_h * g.pool_h * g.width, grad_in + g.height * g.width, 0.0f);
}

}  // namespace

MaxPool2d::MaxPool2d(int pool_h, int pool_w, const std::string& name)
    : pool_h_(pool_h), pool_w_(pool_w), name_(name) {
  if (pool_h <= 0 || pool_w <= 0)
    fail("{}: pool size must be positive, got ({}, {})", name, pool_h, pool_w);
}

Shape MaxPool2d::output_shape(const Shape& in) const {
  if (in.h < pool_h_ || in.w < pool_w_)
    fail("{}: input {}x{} is smaller than the ({}, {}) pool", name_, in.h, in.w, pool_h_, pool_w_);
  return {in.n, in.c, in.h / pool_h_, in.w / pool_w_};
}

void MaxPool2d::forward(const Tensor& x, Tensor& y, const Pass&) {
  y.reshape(output_shape(x.shape));
  const PlaneGeometry g{x.shape.h, x.shape.w, pool_h_, pool_w_, y.shape.h, y.shape.w};
  argmax_.resize(y.shape.size());
  const std::size_t in_plane = static_cast<std::size_t>(g.height) * g.width;
  const std::size_t out_plane = static_cast<std::size_t>(g.out_h) * g.out_w;
  parallel_ranges(static_cast<std::size_t>(x.shape.n) * static_cast<std::size_t>(x.shape.c),
                  threads_, [&](std::size_t first, std::size_t last) {
                    for (std::size_t p = first; p < last; ++p)
                      pool_plane(g, x.data.data() + p * in_plane, y.data.data() + p * out_plane,
                                 argmax_.data() + p * out_plane);
                  });
}

void MaxPool2d::backward(const Tensor& x, const Tensor&, const Tensor& dy, Tensor* dx) {
  if (!dx) return;
  dx->reshape(x.shape);
  const PlaneGeometry g{x.shape.h, x.shape.w, pool_h_, pool_w_, dy.shape.h, dy.shape.w};
  const std::size_t in_plane = static_cast<std::size_t>(g.height) * g.width;
  const std::size_t out_plane = static_cast<std::size_t>(g.out_h) * g.out_w;
  parallel_ranges(static_cast<std::size_t>(x.shape.n) * static_cast<std::size_t>(x.shape.c),
                  threads_, [&](std::size_t first, std::size_t last) {
                    for (std::size_t p = first; p < last; ++p)
                      unpool_plane(g, dy.data.data() + p * out_plane,
                                   argmax_.data() + p * out_plane, dx->data.data() + p * in_plane);
                  });
}

}  // namespace audify::nn::cnn
