// Both directions work on whole rows so that the selects vectorise (cloned per instruction set):
// forward reduces a window's rows column by column, then its columns; backward writes every input
// element once (windows tile the input) instead of clearing dx and scattering into it.
#include "nn/cnn/max_pool2d.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "core/error.h"
#include "core/parallel_jobs.h"
#include "core/simd.h"

namespace audify::nn::cnn {
namespace {

struct PlaneGeometry {
  int height, width, pool_h, pool_w, out_h, out_w;
};

// The window's rows, reduced column by column: per input column the maximum over the pool_h rows
// and the first row holding it (one vectorised select per row, over the whole row).
AUDIFY_TARGET_CLONES void column_maxima(const float* top, int width, int rows, int columns,
                                        float* best, int32_t* best_row) {
  std::copy(top, top + columns, best);
  std::fill(best_row, best_row + columns, 0);
  for (int i = 1; i < rows; ++i) {
    const float* row = top + static_cast<std::ptrdiff_t>(i) * width;
    for (int x = 0; x < columns; ++x) {
      const bool greater = row[x] > best[x];
      best[x] = greater ? row[x] : best[x];
      best_row[x] = greater ? i : best_row[x];
    }
  }
}

// Then each window's pool_w column maxima: the first maximum in row-major order, as a scan of the
// window with a strict > finds, is the greatest value, between equal ones the upper row, then the
// left column. Selects over all the windows of a row at once, not a branch per window.
AUDIFY_TARGET_CLONES void row_maxima(const float* best, const int32_t* best_row, int out_w,
                                     int pool_w, float* value, int32_t* row, int32_t* column) {
  for (int ox = 0; ox < out_w; ++ox) {
    value[ox] = best[ox * pool_w];
    row[ox] = best_row[ox * pool_w];
    column[ox] = ox * pool_w;
  }
  for (int j = 1; j < pool_w; ++j)
    for (int ox = 0; ox < out_w; ++ox) {
      const int at = ox * pool_w + j;
      const bool take =
          (best[at] > value[ox]) | ((best[at] == value[ox]) & (best_row[at] < row[ox]));
      value[ox] = take ? best[at] : value[ox];
      row[ox] = take ? best_row[at] : row[ox];
      column[ox] = take ? at : column[ox];
    }
}

// Per thread: forward's column maxima and winners, backward's gradients and winners spread to
// the columns of their windows.
struct PoolScratch {
  std::vector<float> best, spread;
  std::vector<int32_t> best_row, row, column, winner;
};

// One channel plane: dst (out_h, out_w) and arg (the winner's index in the plane).
void pool_plane(const PlaneGeometry& g, const float* src, float* dst, int32_t* arg,
                PoolScratch& s) {
  const int columns = g.out_w * g.pool_w;
  s.best.resize(static_cast<std::size_t>(columns));
  s.best_row.resize(static_cast<std::size_t>(columns));
  s.row.resize(static_cast<std::size_t>(g.out_w));
  s.column.resize(static_cast<std::size_t>(g.out_w));
  for (int oy = 0; oy < g.out_h; ++oy) {
    column_maxima(src + static_cast<std::ptrdiff_t>(oy) * g.pool_h * g.width, g.width, g.pool_h,
                  columns, s.best.data(), s.best_row.data());
    float* value = dst + static_cast<std::ptrdiff_t>(oy) * g.out_w;
    row_maxima(s.best.data(), s.best_row.data(), g.out_w, g.pool_w, value, s.row.data(),
               s.column.data());
    int32_t* winner = arg + static_cast<std::ptrdiff_t>(oy) * g.out_w;
    for (int ox = 0; ox < g.out_w; ++ox)
      winner[ox] = (oy * g.pool_h + s.row[ox]) * g.width + s.column[ox];
  }
}

// Each output row's gradients and winners spread to their windows' columns, then every input row
// of those windows written in one contiguous select.
AUDIFY_TARGET_CLONES void unpool_rows(const float* spread, const int32_t* winner, int32_t first,
                                      int columns, float* grad_in) {
  for (int x = 0; x < columns; ++x) grad_in[x] = winner[x] == first + x ? spread[x] : 0.0f;
}

void unpool_plane(const PlaneGeometry& g, const float* grad_out, const int32_t* arg, float* grad_in,
                  PoolScratch& s) {
  const int columns = g.out_w * g.pool_w;
  s.spread.resize(static_cast<std::size_t>(columns));
  s.winner.resize(static_cast<std::size_t>(columns));
  for (int oy = 0; oy < g.out_h; ++oy) {
    const float* go = grad_out + static_cast<std::ptrdiff_t>(oy) * g.out_w;
    const int32_t* at = arg + static_cast<std::ptrdiff_t>(oy) * g.out_w;
    for (int ox = 0; ox < g.out_w; ++ox)
      for (int j = 0; j < g.pool_w; ++j) {
        s.spread[static_cast<std::size_t>(ox * g.pool_w + j)] = go[ox];
        s.winner[static_cast<std::size_t>(ox * g.pool_w + j)] = at[ox];
      }
    for (int i = 0; i < g.pool_h; ++i) {
      const int32_t row = (oy * g.pool_h + i) * g.width;
      unpool_rows(s.spread.data(), s.winner.data(), row, columns, grad_in + row);
      std::fill(grad_in + row + columns, grad_in + row + g.width, 0.0f);  // floor
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
                    PoolScratch scratch;
                    for (std::size_t p = first; p < last; ++p)
                      pool_plane(g, x.data.data() + p * in_plane, y.data.data() + p * out_plane,
                                 argmax_.data() + p * out_plane, scratch);
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
                    PoolScratch scratch;
                    for (std::size_t p = first; p < last; ++p)
                      unpool_plane(g, dy.data.data() + p * out_plane,
                                   argmax_.data() + p * out_plane, dx->data.data() + p * in_plane,
                                   scratch);
                  });
}

}  // namespace audify::nn::cnn
