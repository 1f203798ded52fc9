// The Adam loop over a flat parameter buffer. GCC does not vectorise sqrtf while errno is on
// (the project's default), so the AVX-512 and AVX2 versions are written with intrinsics, chosen at
// run time; each performs adam_element's operations in the same order with the same explicit
// fused multiply-adds, so all three give bit-identical results. (_mm512_mask_sqrt_ps with a full
// mask sidesteps GCC 12's maybe-uninitialized warning on _mm512_sqrt_ps.)
#include "nn/adam.h"

#include "core/simd.h"

#if AUDIFY_HAVE_X86_DISPATCH
#include <immintrin.h>
#endif

namespace audify::nn {
namespace {

#if AUDIFY_HAVE_X86_DISPATCH
__attribute__((target("avx512f"))) std::size_t adam_avx512(const AdamStep& s, std::size_t n,
                                                           const float* g, float* w, float* m,
                                                           float* v) {
  const __m512 b1c = _mm512_set1_ps(1.0f - s.beta1), b2c = _mm512_set1_ps(1.0f - s.beta2);
  const __m512 lr = _mm512_set1_ps(s.lr_t), eps = _mm512_set1_ps(s.eps);
  const __m512 decay = _mm512_set1_ps(s.decay);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 gi = _mm512_loadu_ps(g + i);
    __m512 mi = _mm512_loadu_ps(m + i), vi = _mm512_loadu_ps(v + i), wi = _mm512_loadu_ps(w + i);
    mi = _mm512_fmadd_ps(_mm512_sub_ps(gi, mi), b1c, mi);
    vi = _mm512_fmadd_ps(_mm512_fmsub_ps(gi, gi, vi), b2c, vi);
    wi = _mm512_fnmadd_ps(decay, wi, wi);
    const __m512 den = _mm512_add_ps(_mm512_mask_sqrt_ps(vi, 0xFFFF, vi), eps);
    wi = _mm512_sub_ps(wi, _mm512_div_ps(_mm512_mul_ps(mi, lr), den));
    _mm512_storeu_ps(m + i, mi);
    _mm512_storeu_ps(v + i, vi);
    _mm512_storeu_ps(w + i, wi);
  }
  return i;
}

__attribute__((target("avx2,fma"))) std::size_t adam_avx2(const AdamStep& s, std::size_t n,
                                                          const float* g, float* w, float* m,
                                                          float* v) {
  const __m256 b1c = _mm256_set1_ps(1.0f - s.beta1), b2c = _mm256_set1_ps(1.0f - s.beta2);
  const __m256 lr = _mm256_set1_ps(s.lr_t), eps = _mm256_set1_ps(s.eps);
  const __m256 decay = _mm256_set1_ps(s.decay);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gi = _mm256_loadu_ps(g + i);
    __m256 mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i), wi = _mm256_loadu_ps(w + i);
    mi = _mm256_fmadd_ps(_mm256_sub_ps(gi, mi), b1c, mi);
    vi = _mm256_fmadd_ps(_mm256_fmsub_ps(gi, gi, vi), b2c, vi);
    wi = _mm256_fnmadd_ps(decay, wi, wi);
    const __m256 den = _mm256_add_ps(_mm256_sqrt_ps(vi), eps);
    wi = _mm256_sub_ps(wi, _mm256_div_ps(_mm256_mul_ps(mi, lr), den));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    _mm256_storeu_ps(w + i, wi);
  }
  return i;
}

#endif  // AUDIFY_HAVE_X86_DISPATCH

}  // namespace

void adam_update(const AdamStep& s, std::size_t n, const float* g, float* w, float* m, float* v) {
  std::size_t i = 0;
#if AUDIFY_HAVE_X86_DISPATCH
  static const int level = __builtin_cpu_supports("avx512f")                                 ? 2
                           : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1
                                                                                             : 0;
  if (level == 2)
    i = adam_avx512(s, n, g, w, m, v);
  else if (level == 1)
    i = adam_avx2(s, n, g, w, m, v);
#endif
  for (; i < n; ++i) adam_element(s, g[i], w[i], m[i], v[i]);
}

}  // namespace audify::nn
