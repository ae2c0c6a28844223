#!/usr/bin/env bash
# Replays every fuzz regression input (tests/fuzz/regress/<target>/) and seed (tests/fuzz/
# corpus/<target>/) through the targets' LLVMFuzzerTestOneInput, without libFuzzer, for
# `make test`. Builds $B/fuzz/replay_<target> with `make fuzz-regress` (B=build-san means
# SAN=1, so the sanitizers see every input) and prints one line per input:
#   ok fuzz/<target>/<file>      or      FAIL fuzz/<target>/<file>
# (a failing input's reason and sanitizer report precede it, from stderr). First it prints
# "planned N", the number of inputs. A build failure prints "FAIL fuzz/build". Exits 1 when an
# input or the build failed.
# Env: B (build dir, default build), FUZZ_TARGETS (default: every harness), FUZZ_REPLAY_TIMEOUT
# (seconds per input, default 60).
set -u
cd "$(dirname "$0")/../.." || exit 1
export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ -f tests/lsan.supp ]; then export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}; fi
B=${B:-build}
# every target there is a harness for (tests/fuzz/fuzz_<target>.c), unless FUZZ_TARGETS says
all_targets=$(for f in tests/fuzz/fuzz_*.c; do t=${f#tests/fuzz/fuzz_}; t=${t%.c}; [ "$t" = common ] || echo "$t"; done)
targets=${FUZZ_TARGETS:-$all_targets}
case "$B" in build-san | */build-san) san=1 ;; *) san= ;; esac

# Until the top Makefile includes tests/fuzz/fuzz.mk, read it alongside.
mk=(make --no-print-directory)
grep -q 'tests/fuzz/fuzz.mk' Makefile 2>/dev/null || mk+=(-f Makefile -f tests/fuzz/fuzz.mk)

# the inputs replay_<target> replays: regular files, dot files left out, in both directories
planned=0
for t in $targets; do
  n=$(find "tests/fuzz/regress/$t" "tests/fuzz/corpus/$t" -mindepth 1 -maxdepth 1 -type f ! -name '.*' \
        2>/dev/null | wc -l)
  planned=$((planned + n))
done
echo "planned $planned"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/purgesim-fuzz-regress.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! "${mk[@]}" SAN="$san" B="$B" FUZZ_TARGETS="$targets" fuzz-regress >"$tmp/build.log" 2>&1; then
  tail -n 30 "$tmp/build.log"
  echo "FAIL fuzz/build"
  exit 1
fi

fails=0
for t in $targets; do
  bin=$B/fuzz/replay_$t
  if [ ! -x "$bin" ]; then echo "FAIL fuzz/$t (no $bin)"; fails=$((fails + 1)); continue; fi
  # stdout and stderr through one pipe keep each reason next to its FAIL line
  "$bin" "$t" "tests/fuzz/regress/$t" "tests/fuzz/corpus/$t" 2>&1 | tee "$tmp/out"
  rc=${PIPESTATUS[0]}
  n=$(grep -c '^FAIL ' "$tmp/out")
  if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then echo "FAIL fuzz/$t (replay_$t: exit $rc)"; n=1; fi
  fails=$((fails + n))
done
[ "$fails" -eq 0 ]
