#!/usr/bin/env bash
# Configures and builds Audify into ./build (Release). CI=true turns warnings into errors.
# Extra CMake arguments pass through, e.g. tools/build.sh -DAUDIFY_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${AUDIFY_BUILD_DIR:-build}
# CI=true sets -Werror; otherwise an existing build folder keeps its setting, so building after a
# CI build (tools/main.sh after CI=true tools/test.sh) does not recompile every file.
werror=()
[ "${CI:-}" = "true" ] && werror=(-DAUDIFY_WERROR=ON)
[ "${CI:-}" != "true" ] && [ ! -f "$BUILD_DIR/CMakeCache.txt" ] && werror=(-DAUDIFY_WERROR=OFF)
# nvcc lives outside the default PATH on most installs.
[ -x /usr/local/cuda/bin/nvcc ] && export PATH="$PATH:/usr/local/cuda/bin"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "${werror[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
