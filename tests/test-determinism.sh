#!/usr/bin/env bash
# The same inputs give byte-identical CSV, JSON and SVG whatever the run and the thread count.
# Prints "ok NAME" / "FAIL NAME" lines for tests/run-all.sh.
set -u
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { if "$@"; then echo "ok determinism/$name"; else echo "FAIL determinism/$name"; fi; }

"$BIN" generate --scale small --seed 7 -o "$tmp/reg.json" || { echo "FAIL determinism/generate"; exit 0; }
"$BIN" generate --scale small --seed 7 -o "$tmp/reg2.json"
name=generate-same-seed check cmp -s "$tmp/reg.json" "$tmp/reg2.json"

for run in a b c; do
  jobs=1; [ $run = c ] && jobs=2
  mkdir -p "$tmp/$run"
  "$BIN" simulate -i "$tmp/reg.json" -p data/policies/example.ini --jobs $jobs --format csv -o "$tmp/$run" -q
  "$BIN" simulate -i "$tmp/reg.json" -p data/policies/example.ini --jobs $jobs --format json -o "$tmp/$run/sim.json" -q
  "$BIN" dry-run -i "$tmp/reg.json" --format json -o "$tmp/$run/dry.json" -q -- acr purge --filter '.*:.*' --ago 7d --keep 2 --untagged
  rm -f "$tmp/$run"/*.png
done
name=two-runs check diff -r "$tmp/a" "$tmp/b"
name=one-and-two-threads check diff -r "$tmp/a" "$tmp/c"
name=svg-written check test -s "$tmp/a/stored.svg"
