#!/usr/bin/env bash
# Configures and builds Audify into ./build (Release). CI=true turns warnings into errors.
# Extra CMake arguments pass through, e.g. tools/build.sh -DAUDIFY_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${AUDIFY_BUILD_DIR:-build}
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
# nvcc lives outside the default PATH on most installs.
[ -x /usr/local/cuda/bin/nvcc ] && export PATH="$PATH:/usr/local/cuda/bin"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAUDIFY_WERROR=$werror "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
