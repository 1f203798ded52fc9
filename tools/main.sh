#!/usr/bin/env bash
# The README's main-job command: installs what is missing, builds, and runs the default experiment on
# the embedded synthetic dataset (generated on first use), ending in a printed summary, a run
# directory under outputs/ and a report (report.md + report.html) inside it.
# Arguments pass through to `audify run` (e.g. train.standardize=true, +experiment=official_10fold).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
summary=$(./build/audify run "$@")
echo "$summary"
run_dir=$(sed -n 's/^run directory: //p' <<<"$summary")
./build/audify report "$run_dir" --out "$run_dir/report"
