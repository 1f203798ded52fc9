// The arithmetic of a valid, strided 2-D convolution over a batch: per sample, im2col and one
// OpenBLAS sgemm. The CPU layer (nn::cnn::Conv2d) and cuDNN's host emulation
// (cuda/dnn_emulated.cpp) both call it, so they compute the same sums in the same order.
//
// A batch is cut into fixed slices of samples that run on up to `threads` threads, each with
// single-threaded GEMMs: SB-CNN's GEMMs are too small (24-48 rows) for OpenBLAS's own threads to
// pay, while the samples of a batch are independent. The filter gradient is summed per slice and
// the slices added in order, so every result is the same whatever the thread count.
#pragma once

#include <vector>

#include "nn/cnn/im2col.h"

namespace audify::nn::cnn {

struct ConvBatch {
  PatchGeometry patches;  // one sample's input and kernel
  int samples = 0;
  int filters = 0;
};

// Buffers a convolution keeps between calls: patch matrices per thread, gradients per slice, and
// the vector of ones whose product with dy sums the bias gradient.
struct ConvScratch {
  std::vector<std::vector<float>> cols;
  std::vector<float> slice_grads;
  std::vector<float> ones;
};

// y (n, F, oh, ow) = W (F, C, kh, kw) * x (n, C, h, w), plus bias (F) when given.
void conv_forward(const ConvBatch& b, const float* x, const float* weight, const float* bias,
                  float* y, int threads, ConvScratch& scratch);
// dx (n, C, h, w) = the adjoint of conv_forward's x applied to dy (n, F, oh, ow).
void conv_backward_data(const ConvBatch& b, const float* weight, const float* dy, float* dx,
                        int threads, ConvScratch& scratch);
// dweight (F, C, kh, kw) = dL/dW, and dbias (F) = dL/db when given; both overwritten.
void conv_backward_filter(const ConvBatch& b, const float* x, const float* dy, float* dweight,
                          float* dbias, int threads, ConvScratch& scratch);

}  // namespace audify::nn::cnn
