#!/usr/bin/env bash
# The README's main-job command: installs what is missing, builds, and runs the default job on the
# embedded synthetic dataset (generated on first use): the default experiment, ending in a printed
# summary and a run directory under outputs/. Arguments pass through to `audify run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
./build/audify run "$@"
