#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
ctest --test-dir "${AUDIFY_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
