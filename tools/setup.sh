#!/usr/bin/env bash
# Installs every Debian 12 package Audify's build, tests and benchmarks need. Idempotent and
# non-interactive: packages already present are skipped, so a second run costs a second.
# Runs as root (or through sudo when available). The CUDA toolkit is optional and not installed
# here: the CUDA backend is built when nvcc is on the PATH.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang-format
  libsndfile1-dev libsoxr-dev libfftw3-dev libopenblas-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsvm-dev libxgboost-dev
  # audio-level augmentation, the libraries muda uses: pitch shift and time stretch (rubberband),
  # dynamic-range compression (sox's compand)
  librubberband-dev libsox-dev
  libcpp-httplib-dev
  # `audify dataset fetch`: downloads, archives, md5
  libcurl4-openssl-dev libarchive-dev libssl-dev
  # the sanitizer build and the libFuzzer targets (tools/sanitize.sh, tools/fuzz.sh)
  clang libclang-rt-14-dev
  # browser tests of the report and the web page (headless, driven over the DevTools protocol)
  chromium python3-websocket
  # the SLURM launcher's tests start a real single-node cluster
  slurm-wlm munge
)
# The peers (../shared/peers/: PyTorch 1.13 for the SB-CNN speed, scikit-learn for the baselines;
# tools/sbcnn_conv_times.py, tests/crosscheck_sklearn.py) are large and no build or test needs them,
# so they come only on request: tools/setup.sh --peers
[ "${1:-}" = "--peers" ] && PACKAGES+=(python3-torch python3-sklearn)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root (missing: ${missing[*]})" >&2; exit 1; }
  SUDO=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
