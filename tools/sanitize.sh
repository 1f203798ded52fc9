#!/usr/bin/env bash
# The sanitizer build: one clang build folder (build-asan: ASan + UBSan, -O1, CPU backend only)
# that holds both the sanitized unit tests and the libFuzzer targets (tests/fuzz). Configures it,
# builds what is asked, and runs the unit tests that finish in minutes under ASan, plus one pass of
# each fuzz target over its seeds and past findings (CTest label "fuzz").
#   tools/sanitize.sh                  build and run the sanitized subset (tools/test.sh calls it in CI)
#   tools/sanitize.sh --build-only T.. configure and build targets T only (tools/fuzz.sh uses it)
# CI=true turns warnings into errors, as in tools/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${AUDIFY_ASAN_BUILD_DIR:-build-asan}

# The unit tests that run under ASan (about 2 minutes on 2 cores): the parsers and numerics, the
# server behind its real HTTP path. Left out, as too slow under ASan or needing what CI lacks:
# test_monitor (each of its tests trains a model in its own process: 60-80 s each, 9 min in all;
# it passes sanitized, run it with `tools/sanitize.sh --build-only test_monitor audify` and ctest),
# test_runner, test_report, test_bench, test_extract and test_cuda_emulated* (whole experiments
# and extraction runs, minutes each even unsanitized), test_librosa_parity (real data only),
# test_cuda_device* (a GPU), test_slurm and tests/browser (a cluster, Chromium), test_memory_bounds
# (prlimit --as leaves no room for ASan's shadow memory), test_feature_bounds, test_failed_runs and
# test_sb_cnn (CLI runs and whole-network training steps, slow under ASan), test_logmel_features
# (real data only).
UNIT_TESTS=(test_audio_io test_config test_wav_stream test_metrics test_mfcc test_resample test_serve
            test_splits test_summary_stats test_synth test_mlp test_baselines test_smoke
            test_feature_cache test_nonfinite_features test_cnn_layers test_dataset_fetch)
FUZZ_TARGETS=(fuzz_decode fuzz_wav_stream fuzz_upload fuzz_config fuzz_feature_table)

build_only=0
if [ "${1:-}" = "--build-only" ]; then
  build_only=1
  shift
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${UNIT_TESTS[@]}" audify "${FUZZ_TARGETS[@]}")

werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
command -v clang++ >/dev/null || { echo "sanitize: clang++ not found (tools/setup.sh installs it)" >&2; exit 1; }
# -O1 keeps ASan's slowdown near 2x and the stacks readable; line tables only, for the reports.
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DAUDIFY_CUDA=OFF -DAUDIFY_SANITIZE=ON \
  -DAUDIFY_FUZZ=ON -DAUDIFY_WERROR=$werror >/dev/null
echo "sanitize: building ${#targets[@]} targets in $BUILD_DIR (clang, ASan + UBSan)" >&2
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${targets[@]}"
[ $build_only -eq 1 ] && exit 0

# Any sanitizer report fails the test that triggered it, with a stack trace in the output.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp}
labels=$(IFS='|'; echo "${UNIT_TESTS[*]}|fuzz")
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" -L "^($labels)\$"
