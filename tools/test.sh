#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the whole test suite.
# In CI (CI=true), or with AUDIFY_SANITIZERS=1, it then also builds the clang ASan + UBSan folder
# and runs the sanitized unit tests there (tools/sanitize.sh) and every fuzz target for
# AUDIFY_FUZZ_SECONDS (default 30) each (tools/fuzz.sh); AUDIFY_SANITIZERS=0 skips that in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
ctest --test-dir "${AUDIFY_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
sanitizers=${AUDIFY_SANITIZERS:-$([ "${CI:-}" = "true" ] && echo 1 || echo 0)}
if [ "$sanitizers" = "1" ]; then
  start=$(date +%s)
  bash tools/sanitize.sh
  bash tools/fuzz.sh "${AUDIFY_FUZZ_SECONDS:-15}"
  echo "test: sanitizer build, sanitized tests and fuzzing took $(($(date +%s) - start)) s" >&2
fi
