#!/usr/bin/env bash
# Runs the CUDA backend's device tests (CTest label gpu-device) and compute-sanitizer over them,
# on a machine with a GPU. Without one it says so and exits 0, so CI may call it unconditionally.
#   tests/cuda/run_device_tests.sh [BUILD_DIR]      (default: build-cuda-device)
# The build dir is configured with -DAUDIFY_CUDA=ON when it does not exist yet.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build-cuda-device}"

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "run_device_tests: skipped: no CUDA device (nvidia-smi finds none)"
  exit 0
fi
nvidia-smi -L

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DAUDIFY_CUDA=ON -DAUDIFY_WERROR=ON
fi
ninja -C "$build" audify test_cuda_device $(cd "$root/tests" && ls test_cuda_device*.cpp 2>/dev/null |
  sed 's/\.cpp$//' | grep -v '^test_cuda_device$' || true)

echo "== gpu-device tests"
(cd "$build" && ctest -L gpu-device --output-on-failure)

echo "== gpu-emulation tests (the same checks through the host emulation)"
(cd "$build" && ctest -L gpu-emulation --output-on-failure)

sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
if [[ ! -x "$sanitizer" ]]; then
  echo "run_device_tests: compute-sanitizer not found; sanitizer pass skipped"
  exit 1
fi
# Each tool over the device suites (a few shapes keep racecheck's run time reasonable; of the CNN
# trainer, the small batch-norm network).
for exe in "$build"/tests/test_cuda_device*; do
  [[ -x "$exe" ]] || continue
  for tool in memcheck racecheck initcheck synccheck; do
    echo "== compute-sanitizer --tool $tool $(basename "$exe")"
    "$sanitizer" --tool "$tool" --error-exitcode 1 "$exe" \
      --gtest_filter='RandomShapes/*/1:RandomShapes/*/2:RandomShapes/*/7:CudaDeviceRealClips.*:CudaBackend.*:CnnGpuDevice.BatchNorm*'
  done
done

echo "== audify bench features device=cuda"
"$build/audify" bench features device=cuda --clips 512 --repeats 3
echo "== audify bench train model=sb_cnn device=cuda"
"$build/audify" bench train model=sb_cnn device=cuda --cnn-steps 20
echo "run_device_tests: all passed"
