// Row by row: with stride 1 each (c, i, j, oy) run of the patch matrix is a contiguous copy of ow
// input samples, which is what makes im2col cheap next to the GEMM it feeds.
#include "nn/cnn/im2col.h"

#include <algorithm>
#include <cstddef>

#include "core/simd.h"

namespace audify::nn::cnn {

void im2col(const PatchGeometry& g, const float* x, float* cols) {
  const int oh = g.out_h(), ow = g.out_w();
  for (int c = 0; c < g.channels; ++c)
    for (int i = 0; i < g.kernel_h; ++i)
      for (int j = 0; j < g.kernel_w; ++j) {
        float* row = cols + (static_cast<std::size_t>((c * g.kernel_h + i) * g.kernel_w + j) *
                             static_cast<std::size_t>(oh * ow));
        for (int oy = 0; oy < oh; ++oy) {
          const float* src =
              x + (static_cast<std::size_t>(c * g.height + oy * g.stride_h + i) * g.width + j);
          float* dst = row + static_cast<std::size_t>(oy) * ow;
          if (g.stride_w == 1) {
            std::copy(src, src + ow, dst);
          } else {
            for (int ox = 0; ox < ow; ++ox) dst[ox] = src[ox * g.stride_w];
          }
        }
      }
}

AUDIFY_TARGET_CLONES void col2im(const PatchGeometry& g, const float* cols, float* dx) {
  const int oh = g.out_h(), ow = g.out_w();
  std::fill(dx, dx + static_cast<std::size_t>(g.channels) * g.height * g.width, 0.0f);
  for (int c = 0; c < g.channels; ++c)
    for (int i = 0; i < g.kernel_h; ++i)
      for (int j = 0; j < g.kernel_w; ++j) {
        const float* row = cols + (static_cast<std::size_t>((c * g.kernel_h + i) * g.kernel_w + j) *
                                   static_cast<std::size_t>(oh * ow));
        for (int oy = 0; oy < oh; ++oy) {
          float* dst =
              dx + (static_cast<std::size_t>(c * g.height + oy * g.stride_h + i) * g.width + j);
          const float* src = row + static_cast<std::size_t>(oy) * ow;
          if (g.stride_w == 1) {  // contiguous: vectorised
            for (int ox = 0; ox < ow; ++ox) dst[ox] += src[ox];
          } else {
            for (int ox = 0; ox < ow; ++ox) dst[ox * g.stride_w] += src[ox];
          }
        }
      }
}

}  // namespace audify::nn::cnn
