// The patch matrix of a valid, strided 2-D convolution for one sample, so that convolution is one
// GEMM: cols (C * kh * kw, oh * ow), row (c, i, j) holding x[c, oy * sh + i, ox * sw + j].
#pragma once

namespace audify::nn::cnn {

struct PatchGeometry {
  int channels, height, width;  // input sample
  int kernel_h, kernel_w, stride_h, stride_w;
  int out_h() const { return (height - kernel_h) / stride_h + 1; }
  int out_w() const { return (width - kernel_w) / stride_w + 1; }
  int patch_size() const { return channels * kernel_h * kernel_w; }
  int out_pixels() const { return out_h() * out_w(); }
};

// [in] x: (C, H, W); [out] cols: (patch_size, out_pixels).
void im2col(const PatchGeometry& g, const float* x, float* cols);
// The adjoint: dx (C, H, W) = sum of every patch's column back at its place. Overwrites dx.
void col2im(const PatchGeometry& g, const float* cols, float* dx);

}  // namespace audify::nn::cnn
