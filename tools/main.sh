#!/usr/bin/env bash
# The README's main-job command: installs what is missing, builds, and runs the default job on the
# embedded synthetic dataset (generated on first use). Arguments pass through to `audify extract`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
./build/audify extract "$@"
