#include "nn/cnn/conv_batch.h"

#include <cblas.h>

#include <algorithm>
#include <cstddef>

#include "core/parallel_jobs.h"

namespace audify::nn::cnn {
namespace {

// Slices per batch, fixed so that the sums do not depend on the thread count; more than the
// threads of a small machine, so that slices of unequal cost even out.
constexpr int kSlices = 8;

int slices_of(int samples) {
  return std::clamp(samples, 1, kSlices);
}

// Threads that get work: no more than there are slices.
int workers_for(int samples, int threads) {
  return std::clamp(threads, 1, slices_of(samples));
}

// Runs body(thread, slice, first, last) for each slice's samples [first, last); `thread` in
// [0, threads) names the caller's scratch. Slices go to threads round-robin.
template <typename Body>
void for_each_slice(int samples, int threads, const Body& body) {
  const int slices = slices_of(samples);
  const int workers = workers_for(samples, threads);
  parallel_jobs(static_cast<std::size_t>(workers), workers, [&](std::size_t worker) {
    const int t = static_cast<int>(worker);
    for (int s = t; s < slices; s += workers)
      body(t, s, samples * s / slices, samples * (s + 1) / slices);
  });
}

float* patch_buffer(ConvScratch& scratch, int thread, std::size_t size) {
  std::vector<float>& cols = scratch.cols[static_cast<std::size_t>(thread)];
  cols.resize(size);
  return cols.data();
}

// GEMM sizes (k = patch size, p = output pixels, f = filters) and floats per sample.
struct Sizes {
  int k, p, f;
  std::size_t in, out, cols;
};

// The batch's sizes, with a patch buffer for each thread that will run.
Sizes prepare(const ConvBatch& b, int threads, ConvScratch& scratch) {
  const PatchGeometry& g = b.patches;
  const int k = g.patch_size(), p = g.out_pixels(), f = b.filters;
  const auto workers = static_cast<std::size_t>(workers_for(b.samples, threads));
  if (scratch.cols.size() < workers) scratch.cols.resize(workers);
  return {k,
          p,
          f,
          static_cast<std::size_t>(g.channels) * g.height * g.width,
          static_cast<std::size_t>(f) * p,
          static_cast<std::size_t>(k) * p};
}

}  // namespace

void conv_forward(const ConvBatch& b, const float* x, const float* weight, const float* bias,
                  float* y, int threads, ConvScratch& scratch) {
  const Sizes z = prepare(b, threads, scratch);
  for_each_slice(b.samples, threads, [&](int thread, int, int first, int last) {
    float* cols = patch_buffer(scratch, thread, z.cols);
    for (int s = first; s < last; ++s) {
      im2col(b.patches, x + static_cast<std::size_t>(s) * z.in, cols);
      float* out = y + static_cast<std::size_t>(s) * z.out;
      if (bias)
        for (int o = 0; o < z.f; ++o) std::fill(out + o * z.p, out + (o + 1) * z.p, bias[o]);
      // y_s (F, P) (+)= W (F, K) * cols (K, P)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, z.f, z.p, z.k, 1.0f, weight, z.k, cols,
                  z.p, bias ? 1.0f : 0.0f, out, z.p);
    }
  });
}

void conv_backward_data(const ConvBatch& b, const float* weight, const float* dy, float* dx,
                        int threads, ConvScratch& scratch) {
  const Sizes z = prepare(b, threads, scratch);
  for_each_slice(b.samples, threads, [&](int thread, int, int first, int last) {
    float* dcols = patch_buffer(scratch, thread, z.cols);
    for (int s = first; s < last; ++s) {
      // dcols (K, P) = W^T (K, F) * dy_s (F, P), then scattered back onto the input's pixels.
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, z.k, z.p, z.f, 1.0f, weight, z.k,
                  dy + static_cast<std::size_t>(s) * z.out, z.p, 0.0f, dcols, z.p);
      col2im(b.patches, dcols, dx + static_cast<std::size_t>(s) * z.in);
    }
  });
}

void conv_backward_filter(const ConvBatch& b, const float* x, const float* dy, float* dweight,
                          float* dbias, int threads, ConvScratch& scratch) {
  const Sizes z = prepare(b, threads, scratch);
  const std::size_t weights = static_cast<std::size_t>(z.f) * z.k, per_slice = weights + z.f;
  const int slices = slices_of(b.samples);
  scratch.slice_grads.assign(per_slice * static_cast<std::size_t>(slices), 0.0f);
  if (dbias) scratch.ones.assign(static_cast<std::size_t>(z.p), 1.0f);
  for_each_slice(b.samples, threads, [&](int thread, int slice, int first, int last) {
    float* cols = patch_buffer(scratch, thread, z.cols);
    float* dw = scratch.slice_grads.data() + per_slice * static_cast<std::size_t>(slice);
    for (int s = first; s < last; ++s) {
      const float* grad_out = dy + static_cast<std::size_t>(s) * z.out;
      // db (F) += dy_s (F, P) * ones (P): sgemv vectorises the row sums.
      if (dbias)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, z.f, z.p, 1.0f, grad_out, z.p, scratch.ones.data(),
                    1, 1.0f, dw + weights, 1);
      // The patch matrix is rebuilt rather than kept from forward: a batch of them is ~120 MB
      // for SB-CNN's second layer, and rebuilding costs a few percent of the GEMMs.
      im2col(b.patches, x + static_cast<std::size_t>(s) * z.in, cols);
      // dW (F, K) += dy_s (F, P) * cols^T (P, K)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, z.f, z.k, z.p, 1.0f, grad_out, z.p, cols,
                  z.p, 1.0f, dw, z.k);
    }
  });
  std::fill(dweight, dweight + weights, 0.0f);
  if (dbias) std::fill(dbias, dbias + z.f, 0.0f);
  for (int s = 0; s < slices; ++s) {
    const float* dw = scratch.slice_grads.data() + per_slice * static_cast<std::size_t>(s);
    for (std::size_t i = 0; i < weights; ++i) dweight[i] += dw[i];
    if (dbias)
      for (int o = 0; o < z.f; ++o) dbias[o] += dw[weights + o];
  }
}

}  // namespace audify::nn::cnn
