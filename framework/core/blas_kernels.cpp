#include "core/blas_kernels.h"

#include <cblas.h>
#include <unistd.h>

#include <cstdlib>

namespace audify {

std::string blas_core_name() {
  const char* name = openblas_get_corename();
  return name ? name : "";
}

std::string better_blas_core() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return "";
  const std::string chosen = blas_core_name();
  const bool avx512_kernels =
      chosen == "SkylakeX" || chosen == "Cooperlake" || chosen == "SapphireRapids";
  if (avx512_kernels) return "";
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return "SkylakeX";
  if (chosen == "Prescott" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return "Haswell";
#endif
  return "";
}

void reexec_with_better_blas_core(char** argv) {
  const std::string core = better_blas_core();
  if (core.empty() || argv == nullptr || argv[0] == nullptr) return;
  if (setenv("OPENBLAS_CORETYPE", core.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);  // returns only on failure: carry on with the slow kernels
}

void set_blas_threads(int threads) {
  openblas_set_num_threads(threads > 0 ? threads : 1);
}

}  // namespace audify
