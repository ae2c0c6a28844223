#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed" that CI reads; exits 0 only
# when nothing failed.
#
# Unit tests: one binary $B/unit/test_X per tests/unit/test_X.c, built by `make test`. A missing
# binary, one that exits non-zero, or one that runs fewer tests than cmocka announced fails.
# Script suites (tests/run-*.sh, tests/test-*.sh, tests/fuzz/run-regress.sh): each prints
# "planned N" (its case count, from its case files or its own declaration) before running, then
# one "ok NAME" or "FAIL NAME" line per case, and exits non-zero when a case failed. Besides its
# FAIL lines, a suite fails the run when it prints no plan, prints fewer case lines than planned
# (each missing case counts as one failure), prints more than planned, exits non-zero (or dies
# by a signal) without a FAIL line, or exits 0 despite one.
# Env: B (build dir), BIN (purgesim binary), UPDATE=1 rewrites golden expectations.
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
unset CASE   # run-cases.sh would run only the matching cases: `make test` runs every one
# sanitizer builds: leaks inside libplot/libpng are theirs (tests/lsan.supp), ours fail the run
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# cmocka's own summary lines, whatever the caller's environment asks for
export CMOCKA_MESSAGE_OUTPUT=STDOUT
# the model cache (sim/model_cache.c) in a directory of this run's own, never the user's: the
# suites then meet it cold and warm, and their outputs must not depend on which
XDG_CACHE_HOME=$(mktemp -d "${TMPDIR:-/tmp}/purgesim-test-cache.XXXXXX") || exit 1
export XDG_CACHE_HOME
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
B=${B:-build} BIN=${BIN:-./purgesim}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
export BIN
passed=0 failed=0

# why_exit RC: how a process with exit status RC ended, for the log
why_exit() { if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit $1"; fi; }

# Unit tests: cmocka prints "[==========] Running N test(s).", "[  PASSED  ] N test(s)." and
# "[  FAILED  ] N test(s)" per group; a binary may run several groups.
count() { printf '%s\n' "$out" | sed -n "s/^$1 \([0-9]*\) test.*/\1/p" | awk '{ n += $1 } END { print n + 0 }'; }
for src in tests/unit/test_*.c; do
  [ -f "$src" ] || continue
  name=$(basename "$src" .c)
  t=$B/unit/$name
  if [ ! -x "$t" ]; then
    echo "FAIL $name: $t was not built (make $t)"
    failed=$((failed + 1))
    continue
  fi
  out=$("$t" 2>&1); rc=$?
  planned=$(count '\[==========\] Running') p=$(count '\[  PASSED  \]') f=$(count '\[  FAILED  \]')
  # every announced test that did not pass failed (cmocka does not count a test that crashed
  # in its teardown), and so did a binary that announced none or exited non-zero
  [ $((planned - p)) -gt "$f" ] && f=$((planned - p))
  [ "$planned" -eq 0 ] && f=$((f + 1))
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  why="$(why_exit "$rc"), $p of $planned tests passed"
  passed=$((passed + p)) failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    printf '%s\n' "$out" | grep -E 'FAIL|ERROR|error|Assert|Sanitizer' | head -40
    echo "FAIL $name ($why)"
  else echo "ok   $name ($p tests)"; fi
done

# Script suites, in this order; any other tests/run-*.sh or tests/test-*.sh runs too.
suites=(tests/run-cases.sh tests/run-bad.sh)
for s in tests/run-*.sh tests/test-*.sh; do
  case " ${suites[*]} tests/run-all.sh " in *" $s "*) ;; *) [ -f "$s" ] && suites+=("$s") ;; esac
done
suites+=(tests/fuzz/run-regress.sh)
for s in "${suites[@]}"; do
  name=$(basename "$s")
  if [ ! -f "$s" ]; then
    echo "$name: FAIL: missing"
    failed=$((failed + 1))
    continue
  fi
  out=$(bash "$s" 2>&1); rc=$?
  printf '%s\n' "$out" | grep -v -e '^ok ' -e '^planned [0-9]*$' || true
  p=$(printf '%s\n' "$out" | grep -c '^ok ')
  f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
  plans=$(printf '%s\n' "$out" | sed -n 's/^planned \([0-9]*\)$/\1/p')
  ran=$((p + f)) extra=0 why=""
  if [ -z "$plans" ] || [ "$(printf '%s\n' "$plans" | wc -l)" -ne 1 ]; then
    why="printed no single \"planned N\" line"; extra=1
  elif [ "$ran" -lt "$plans" ]; then
    why="ran $ran of $plans planned cases"; extra=$((plans - ran))
  elif [ "$ran" -gt "$plans" ]; then
    why="ran $ran cases, more than the $plans planned"; extra=1
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    why="${why:+$why; }$(why_exit "$rc") without a FAIL line"; [ "$extra" -eq 0 ] && extra=1
  elif [ "$rc" -eq 0 ] && [ "$f" -ne 0 ]; then
    why="${why:+$why; }exit 0 despite $f FAIL lines"; [ "$extra" -eq 0 ] && extra=1
  fi
  passed=$((passed + p)) failed=$((failed + f + extra))
  echo "$name: $p ok, $f failed${plans:+ of $plans planned}${why:+; FAIL: $why}"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
