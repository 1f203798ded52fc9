// Debian 12's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels from the CPU model when it loads
// and falls back to the SSE3 "Prescott" kernels for models it does not know, e.g. the Xeon
// (family 6, model 207) of this project's machines: sgemm runs at ~25 GFLOP/s there instead of
// ~63-117 with its AVX-512 "SkylakeX" kernels (1 thread, SB-CNN's shapes and 1024^3). An AVX-512
// CPU it would map to AVX2 kernels loses almost as much (an AVX-512 AMD EPYC forced onto "Haswell"
// trains SB-CNN at 6.5 steps/s, at 9.3 on "SkylakeX"). It reads OPENBLAS_CORETYPE only at load
// time, so the only fix from inside is to run again with it set. `audify bench` and CNN runs do
// (tools/audify/main.cpp); other commands keep the library's choice, so that what they compute
// stays bit-identical to the test binaries' in-process results.
#pragma once

#include <string>

namespace audify {

// The kernels OpenBLAS uses ("SkylakeX", "Haswell", "Prescott", ...).
std::string blas_core_name();
// The OPENBLAS_CORETYPE this CPU should have had: "SkylakeX" when it has AVX-512 and OpenBLAS
// chose kernels without it, "Haswell" when OpenBLAS fell back to Prescott on a CPU with AVX2 and
// FMA; empty when its choice stands or the user set one.
std::string better_blas_core();
// Call first in main(): when better_blas_core() names one, sets OPENBLAS_CORETYPE and re-executes
// /proc/self/exe with the same arguments; returns (doing nothing) otherwise or if that fails.
void reexec_with_better_blas_core(char** argv);

// Threads OpenBLAS may use for one call (the CNN's GEMMs; the MLP pins it to 1, nn::fit).
void set_blas_threads(int threads);

}  // namespace audify
