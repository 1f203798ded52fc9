#!/usr/bin/env bash
# `cmake --install BUILD --prefix P` gives a P/bin/audify that composes from P/share/audify (not
# from the source tree it was built in) and runs from a folder outside the source tree.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR CMAKE
set -euo pipefail
build=$1
source=$2
cmake=$3
tmp=$(mktemp -d /tmp/audify_install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$cmake" --install "$build" --prefix "$tmp/prefix" >/dev/null
share="$tmp/prefix/share/audify"
for f in bin/audify share/audify/configs/config.toml share/audify/experiments/grouped_70_30.toml \
  share/audify/indexes/urbansound8k.md5; do
  [ -e "$tmp/prefix/$f" ] || fail "not installed: $f"
done

mkdir -p "$tmp/work"
cd "$tmp/work"
export AUDIFY_CACHE_DIR="$tmp/cache"
audify="$tmp/prefix/bin/audify"
cfg=$("$audify" run +experiment=grouped_70_30 --cfg)
composed=$(sed -n '/^# composed from/,/^# searched/p' <<<"$cfg")
for f in configs/config.toml configs/model/mlp.toml experiments/grouped_70_30.toml; do
  grep -qF "#   $share/$f" <<<"$composed" || fail "run --cfg does not name $share/$f:
$cfg"
done
grep -qF "$source/configs" <<<"$composed" && fail "composed from the source tree:
$composed"

# A tiny run in this folder, with the installed configs.
"$audify" synth --out data --clips-per-class 2 --seed 0 >/dev/null 2>&1 || fail "synth"
"$audify" run -q data.root=data train.epochs=1 output_root=out >run.txt 2>&1 ||
  fail "run: $(cat run.txt)"
log=$(cat out/default/*/log.txt)
grep -qF "$share/configs/config.toml" <<<"$log" || fail "log.txt does not name the installed configs:
$log"
echo "installed audify runs from $tmp/work with $share"
