// The three products of a dense layer's training step, on row-major float buffers whose output
// width is padded to a multiple of 16 (kPad) so that the hand-written kernel needs no tail code.
// Two interchangeable implementations: OpenBLAS sgemm and a register-tiled loop. The tiled loop is
// the default: for the seed MLP at batch 50 on one Zen 5 core the whole training step ran at about
// 4800-5300 steps/s of CPU time against 3800-4300 with sgemm (Debian's OpenBLAS 0.3.21 picks its
// Haswell kernels there). Both give the same results up to float summation order.
#pragma once

#include <cstddef>

namespace audify::nn {

inline constexpr int kPad = 16;
inline constexpr int pad_width(int n) {
  return (n + kPad - 1) / kPad * kPad;
}

enum class GemmImpl { kBlas, kTiled };

// C (M, N) += A (M, K) * B (K, N); N a multiple of kPad; leading dimensions in floats.
void matmul_acc(GemmImpl impl, int m, int n, int k, const float* a, int lda, const float* b,
                int ldb, float* c, int ldc);

// C (M, N) += A^T * B with A stored (K, M); `scratch` holds at least K * M floats (kTiled only).
void matmul_tn_acc(GemmImpl impl, int m, int n, int k, const float* a, int lda, const float* b,
                   int ldb, float* c, int ldc, float* scratch);

// C (M, N) = A (M, K) * B^T with B stored (N, K) (N here need not be padded); `bt` holds B
// transposed, (K, ldbt), which the tiled kernel uses and BLAS ignores.
void matmul_nt(GemmImpl impl, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
               const float* bt, int ldbt, float* c, int ldc);

// dst (cols, ld_dst) = src (rows, cols)^T.
void transpose(int rows, int cols, const float* src, int ld_src, float* dst, int ld_dst);

// Restricts OpenBLAS to one thread: the training path's shapes are too small to share.
void blas_single_thread();

}  // namespace audify::nn
