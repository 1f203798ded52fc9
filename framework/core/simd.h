// Function multiversioning for the hot loops: on x86-64 with GCC, AUDIFY_TARGET_CLONES builds an
// AVX-512 (x86-64-v4), an AVX2+FMA (x86-64-v3) and a baseline copy of a function and picks one at
// load time, so a portable build still runs at full speed. Elsewhere (ARM, other compilers) and
// under AddressSanitizer (whose interceptors clash with ifunc resolvers) it expands to nothing.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define AUDIFY_TARGET_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
// The same, with fp-contract on: the build's -std=c++20 turns multiply-add fusion off, and a loop
// whose double rounding may change by ~1e-16 can take it back (GCC only: clang has no optimize
// attribute).
#define AUDIFY_TARGET_CLONES_FMA                                               \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), \
                 optimize("fp-contract=fast")))
#define AUDIFY_HAVE_X86_DISPATCH 1
#else
#define AUDIFY_TARGET_CLONES
#define AUDIFY_TARGET_CLONES_FMA
#define AUDIFY_HAVE_X86_DISPATCH 0
#endif
