#!/usr/bin/env bash
# Runs libFuzzer binaries built by `make fuzz-build`, each for SECONDS, and prints one summary
# line per target: executions, exec/s, CPU seconds, corpus size, new coverage.
# Usage (from `make fuzz` / `make fuzz-ci`): tests/fuzz/run-fuzz.sh SECONDS TARGET...
#
# Each target runs over build-fuzz/corpus/<target> (seeded from tests/fuzz/corpus/<target>, and
# also reading tests/fuzz/regress/<target>/), with tests/fuzz/<target>.dict when present. A crash,
# leak, sanitizer report, failed invariant or timeout leaves its input in
# build-fuzz/crashes/<target>/ and makes the script exit 1 after the other targets have run:
# minimise it (binary -minimize_crash=1 -runs=10000 FILE), fix the bug, and copy the input to
# tests/fuzz/regress/<target>/ so `make test` replays it from then on.
# Env: FUZZ_B (build-fuzz), FUZZ_FLAGS (extra libFuzzer flags, e.g. -jobs=2 -workers=2).
set -u
cd "$(dirname "$0")/../.."
export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
secs=${1:?usage: run-fuzz.sh SECONDS TARGET...}
shift
FB=${FUZZ_B:-build-fuzz}
status=0

for t in "$@"; do
  bin=$FB/fuzz_$t corpus=$FB/corpus/$t crashes=$FB/crashes/$t log=$FB/fuzz_$t.log
  if [ ! -x "$bin" ]; then echo "FAIL fuzz $t: $bin not built"; status=1; continue; fi
  mkdir -p "$corpus" "$crashes"
  if [ -d "tests/fuzz/corpus/$t" ]; then
    for f in "tests/fuzz/corpus/$t"/*; do
      [ -f "$f" ] && { [ -e "$corpus/${f##*/}" ] || cp "$f" "$corpus/"; }
    done
  fi
  args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$crashes/")
  [ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
  dirs=("$corpus")
  [ -d "tests/fuzz/regress/$t" ] && dirs+=("tests/fuzz/regress/$t")
  before=$(find "$corpus" -type f | wc -l)
  TIMEFORMAT='%3U %3S'
  # shellcheck disable=SC2086
  cpu=$( { time "$bin" "${args[@]}" ${FUZZ_FLAGS:-} "${dirs[@]}" >"$log" 2>&1; echo "rc=$?" >>"$log"; } 2>&1 )
  rc=$(sed -n 's/^rc=//p' "$log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  after=$(find "$corpus" -type f | wc -l)
  cpu_s=$(echo "$cpu" | awk '{printf "%.1f", $1 + $2}')
  if [ "${rc:-1}" = 0 ]; then
    echo "ok   fuzz $t: ${secs}s, ${execs:-?} execs, ${speed:-?} exec/s, ${cpu_s} s CPU, ${cov:-cov: ?}, corpus $before -> $after"
  else
    status=1
    echo "FAIL fuzz $t: exit ${rc:-?} after ${execs:-?} execs (log: $log)"
    grep -E 'ERROR|invariant violated|SUMMARY|runtime error|Test unit written|^    #[0-9] ' "$log" | head -30
    echo "  reproduce: $bin $crashes/<file>; then copy the input to tests/fuzz/regress/$t/"
  fi
done
exit $status
