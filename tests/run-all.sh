#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed" that CI reads.
# Env: B (build dir), BIN (purgesim binary), UPDATE=1 rewrites golden expectations.
set -u
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
# sanitizer builds: leaks inside libplot/libpng are theirs (tests/lsan.supp), ours fail the run
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
B=${B:-build} BIN=${BIN:-./purgesim}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
export BIN
passed=0 failed=0

# Unit tests: cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
for t in "$B"/unit/test_*; do
  [ -x "$t" ] || continue
  out=$("$t" 2>&1); rc=$?
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  p=${p:-0} f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)) failed=$((failed + f))
  if [ "$f" -ne 0 ]; then printf '%s\n' "$out" | grep -E 'FAIL|ERROR|error|Assert|Sanitizer' | head -40; echo "FAIL $(basename "$t")"
  else echo "ok   $(basename "$t") ($p tests)"; fi
done

# Script suites print "ok NAME" / "FAIL NAME" lines.
for s in tests/run-cases.sh tests/run-bad.sh tests/test-export.sh tests/test-determinism.sh tests/test-browser.sh tests/fuzz/run-regress.sh; do
  [ -f "$s" ] || continue
  out=$(bash "$s" 2>&1)
  printf '%s\n' "$out" | grep -v '^ok ' || true
  p=$(printf '%s\n' "$out" | grep -c '^ok ')
  f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
  echo "$(basename "$s"): $p ok, $f failed"
  passed=$((passed + p)) failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
