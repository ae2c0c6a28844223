#!/usr/bin/env bash
# The same inputs give byte-identical CSV, JSON, SVG and PNG whatever the run and the thread count.
# Every run must exit 0 too. Prints "planned N", then "ok NAME" / "FAIL NAME" lines for
# tests/run-all.sh; exits 1 when a check failed.
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
PLANNED=20   # 3 of generate, 3 x 3 report runs, 4 comparisons, 2 tune runs and 2 checks of them
echo "planned $PLANNED"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
# check NAME COMMAND...: ok when COMMAND succeeds; a run's stderr is shown when it fails
check() {
  local name=$1 rc
  shift
  "$@" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 0 ]; then echo "ok determinism/$name"
  else
    echo "FAIL determinism/$name"
    echo "  exit $rc: $*"
    head -5 "$tmp/err" | sed 's/^/  /'
    fails=$((fails + 1))
  fi
}

check generate "$BIN" generate --scale small --seed 7 -o "$tmp/reg.json"
check generate-again "$BIN" generate --scale small --seed 7 -o "$tmp/reg2.json"
check generate-same-seed cmp -s "$tmp/reg.json" "$tmp/reg2.json"

for run in a b c; do
  jobs=1; [ $run = c ] && jobs=2
  mkdir -p "$tmp/$run"
  check "simulate-csv-$run" "$BIN" simulate -i "$tmp/reg.json" -p data/policies/example.ini --jobs $jobs \
    --format csv -o "$tmp/$run" -q
  check "simulate-json-$run" "$BIN" simulate -i "$tmp/reg.json" -p data/policies/example.ini --jobs $jobs \
    --format json -o "$tmp/$run/sim.json" -q
  check "dry-run-$run" "$BIN" dry-run -i "$tmp/reg.json" --format json -o "$tmp/$run/dry.json" -q -- \
    acr purge --filter '.*:.*' --ago 7d --keep 2 --untagged
  # libplot stamps each PNG with the second it was drawn: runs a second apart would differ
  # if that stamp were left in
  [ $run = c ] || sleep 1
done
check two-runs diff -r "$tmp/a" "$tmp/b"
check one-and-two-threads diff -r "$tmp/a" "$tmp/c"
check svg-written test -s "$tmp/a/stored.svg"
check png-written test -s "$tmp/a/stored.png"
# tune's report names its output directory: both runs write to the same one
check tune-a "$BIN" tune -i data/sample/devreg.json -o "$tmp/tune/" -q
mv "$tmp/tune" "$tmp/tune-a"
sleep 1
check tune-b "$BIN" tune -i data/sample/devreg.json -o "$tmp/tune/" -q
check tune-two-runs diff -r "$tmp/tune-a" "$tmp/tune"
check tune-png-written test -s "$tmp/tune/tune-pareto.png"
[ "$fails" -eq 0 ]
