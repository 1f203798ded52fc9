// Register-tiled matrix products for the MLP's small shapes, beside the OpenBLAS calls they race.
// GCC vector extensions give 16-float vectors; target_clones builds AVX-512, AVX2 and baseline
// versions and picks one at load time, so the default (non -march=native) build is still fast.
#include "nn/dense_kernels.h"

#include "core/simd.h"

#include <cblas.h>

#include <cstring>

#include "core/error.h"

namespace audify::nn {
namespace {

typedef float v16 __attribute__((vector_size(64)));

// Unaligned moves through memcpy (one vmovups each); vectors never cross a call boundary, whose
// ABI would differ between the clones.
#define AUDIFY_VLOAD(dst, src) std::memcpy(&(dst), (src), sizeof(v16))
#define AUDIFY_VSTORE(dst, src) std::memcpy((dst), &(src), sizeof(v16))

// R rows by V vectors of C, accumulated over all of K in registers.
template <int R, int V>
inline __attribute__((always_inline)) void tile(int k, const float* a, int lda, const float* b,
                                                int ldb, float* c, int ldc) {
  v16 acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) AUDIFY_VLOAD(acc[r][v], c + r * ldc + 16 * v);
  for (int kk = 0; kk < k; ++kk) {
    v16 bv[V];
    for (int v = 0; v < V; ++v) AUDIFY_VLOAD(bv[v], b + kk * ldb + 16 * v);
    for (int r = 0; r < R; ++r) {
      const float s = a[r * lda + kk];
      for (int v = 0; v < V; ++v) acc[r][v] += s * bv[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) AUDIFY_VSTORE(c + r * ldc + 16 * v, acc[r][v]);
}

template <int V>
inline __attribute__((always_inline)) void row_blocks(int m, int k, const float* a, int lda,
                                                      const float* b, int ldb, float* c, int ldc) {
  constexpr int kRows = 4;
  int i = 0;
  for (; i + kRows <= m; i += kRows) tile<kRows, V>(k, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
  switch (m - i) {
    case 3:
      tile<3, V>(k, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
      break;
    case 2:
      tile<2, V>(k, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
      break;
    case 1:
      tile<1, V>(k, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
      break;
    default:
      break;
  }
}

AUDIFY_TARGET_CLONES void tiled_acc(int m, int n, int k, const float* a, int lda, const float* b,
                                    int ldb, float* c, int ldc) {
  int j = 0;
  for (; j + 32 <= n; j += 32) row_blocks<2>(m, k, a, lda, b + j, ldb, c + j, ldc);
  if (j < n) row_blocks<1>(m, k, a, lda, b + j, ldb, c + j, ldc);
}

}  // namespace

void matmul_acc(GemmImpl impl, int m, int n, int k, const float* a, int lda, const float* b,
                int ldb, float* c, int ldc) {
  AUDIFY_ASSERT(n % kPad == 0);
  if (impl == GemmImpl::kBlas) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, c,
                ldc);
  } else {
    tiled_acc(m, n, k, a, lda, b, ldb, c, ldc);
  }
}

void matmul_tn_acc(GemmImpl impl, int m, int n, int k, const float* a, int lda, const float* b,
                   int ldb, float* c, int ldc, float* scratch) {
  AUDIFY_ASSERT(n % kPad == 0);
  if (impl == GemmImpl::kBlas) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, 1.0f, c,
                ldc);
  } else {
    transpose(k, m, a, lda, scratch, k);
    tiled_acc(m, n, k, scratch, k, b, ldb, c, ldc);
  }
}

void matmul_nt(GemmImpl impl, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
               const float* bt, int ldbt, float* c, int ldc) {
  if (impl == GemmImpl::kBlas) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c,
                ldc);
  } else {
    AUDIFY_ASSERT(ldbt % kPad == 0 && ldc >= ldbt);
    for (int i = 0; i < m; ++i) std::memset(c + i * ldc, 0, sizeof(float) * ldbt);
    tiled_acc(m, ldbt, k, a, lda, bt, ldbt, c, ldc);
  }
}

void transpose(int rows, int cols, const float* src, int ld_src, float* dst, int ld_dst) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) dst[j * ld_dst + i] = src[i * ld_src + j];
}

void blas_single_thread() {
  openblas_set_num_threads(1);
}

}  // namespace audify::nn
