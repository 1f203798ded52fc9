#!/usr/bin/env bash
# Runs each libFuzzer target of tests/fuzz for SECONDS (default 60), as many at a time as there
# are cores, and prints per target: executions, coverage (cov: edges, ft: features), corpus size
# and findings. Exits 1 when any target found something; each finding's input is kept in
# build-asan/fuzz-work/<target>/ (crash-*, oom-*, timeout-*, leak-*), to replay with
#   build-asan/fuzz/fuzz_<target> FILE
# and then to commit under tests/fuzz/regressions/<target>/ beside a unit test of the fix.
#   tools/fuzz.sh [SECONDS] [TARGET...]      e.g. tools/fuzz.sh 600   or   tools/fuzz.sh 60 decode
# The corpus each run grows is kept in build-asan/fuzz-work/<target>/corpus, so runs build on each
# other; the committed seeds (tests/fuzz/corpus/) are read, never written.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(decode wav_stream upload config feature_table)
BUILD_DIR=${AUDIFY_ASAN_BUILD_DIR:-build-asan}
WORK=$BUILD_DIR/fuzz-work
PARALLEL=${AUDIFY_FUZZ_PARALLEL:-$(nproc)}

bash tools/sanitize.sh --build-only "${TARGETS[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp}

run_target() {
  local target=$1 dir=$WORK/$1
  # Memory: a clip is 4 s of audio, so an input that makes a target allocate over 512 MB at once
  # or hold over 2 GB is a finding (a header announcing hours of audio, a range of a billion).
  # A single input running over 10 s is one too.
  local flags=(-max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10
               -max_len=16384 -print_final_stats=1 -artifact_prefix="$dir/")
  mkdir -p "$dir/corpus"
  rm -f "$dir"/crash-* "$dir"/oom-* "$dir"/timeout-* "$dir"/leak-* "$dir"/slow-unit-*
  local seeds=(tests/fuzz/corpus/"$target")
  [ -d tests/fuzz/regressions/"$target" ] && seeds+=(tests/fuzz/regressions/"$target")
  echo "fuzz: $target for ${SECONDS_EACH} s (log: $dir/fuzz.log)" >&2
  "$BUILD_DIR/fuzz/fuzz_$target" "${flags[@]}" "$dir/corpus" "${seeds[@]}" >"$dir/fuzz.log" 2>&1 ||
    true
}
export -f run_target
export BUILD_DIR WORK SECONDS_EACH
printf '%s\n' "${TARGETS[@]}" | xargs -P "$PARALLEL" -I{} bash -c 'run_target "$1"' _ {}

# The summary, from libFuzzer's last status line ("#N DONE cov: C ft: F corp: U/S ...") and its
# final stats; findings are the artifacts left in the target's folder.
status=0
printf '%-14s %12s %9s %7s %7s %11s  %s\n' target executions exec/s cov ft corpus findings
for target in "${TARGETS[@]}"; do
  dir=$WORK/$target log=$WORK/$target/fuzz.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  findings=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \
    -o -name 'leak-*' \) -printf '%f ' | sed 's/ $//')
  if [ -n "$findings" ] || grep -qE '^==[0-9]+==ERROR|^SUMMARY: ' "$log"; then
    status=1
    [ -z "$findings" ] && findings="see $log"
  fi
  printf '%-14s %12s %9s %7s %7s %11s  %s\n' "$target" "${execs:-?}" "${speed:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}" "${findings:-none}"
done
if [ $status -ne 0 ]; then
  echo "fuzz: findings above; each log ends with the sanitizer's or libFuzzer's report" >&2
fi
exit $status
