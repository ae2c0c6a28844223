#!/usr/bin/env bash
# History from an event log equals history from daily snapshots (issue #13 item 2): one
# registry's history (tests/history-log/make-history.py) is given to simulate twice, as every
# daily snapshot, and as the latest snapshot plus the event log of the whole history (two
# overlapping files, with rows that must be skipped). Each policy must delete the same tags and
# manifests at the same instants, and store and bill the same every day.
# The generator keeps to what both inputs see alike: a snapshot cannot see what lives less than
# a day, nor when between two midnights something was deleted or untagged (it puts it at the
# next snapshot), so builds are at most one a day and deletions and untags happen at midnight.
# Prints "planned N", then "ok NAME" / "FAIL NAME" per check; exits non-zero when any fails.
set -u
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
SEEDS="1 2 3"
echo "planned $((3 * 5 + 2))"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
ok() { echo "ok history-log/$1"; }
fail() { echo "FAIL history-log/$1"; failed=$((failed + 1)); }
same() {   # same NAME FILE1 FILE2
  if cmp -s "$2" "$3"; then ok "$1"; else fail "$1: $(diff "$2" "$3" | head -5 | tr '\n' ' ')"; fi
}
POL=tests/history-log/policies.ini

for seed in $SEEDS; do
  d=$tmp/s$seed
  python3 tests/history-log/make-history.py "$d" --days 24 --seed "$seed"
  snaps=() ; for f in "$d"/snap-*.json; do snaps+=(-i "$f"); done
  last=$(ls "$d"/snap-*.json | tail -1)
  "$BIN" simulate "${snaps[@]}" -p $POL -f csv -o "$d/a/" -q -j1 2>"$d/a.err" || fail "seed$seed/snapshots-run: $(head -2 "$d/a.err")"
  "$BIN" simulate -i "$last" --events "$d/events-a.json" --events "$d/events-b.json" -p $POL -f csv -o "$d/b/" -q -j1 \
      2>"$d/b.err" || fail "seed$seed/log-run: $(head -2 "$d/b.err")"
  "$BIN" simulate -i "$last" --events "$d/events-a.json" --events "$d/events-b.json" -p $POL -q -j1 >"$d/b.txt" 2>&1
  for f in deletions daily repositories; do
    same "seed$seed/$f.csv" "$d/a/$f.csv" "$d/b/$f.csv"
  done
  # summary.csv less its risk columns (19, 20), which only a run with --events fills
  cut -d, -f1-18,21- "$d/a/summary.csv" >"$d/a.sum"; cut -d, -f1-18,21- "$d/b/summary.csv" >"$d/b.sum"
  same "seed$seed/summary.csv" "$d/a.sum" "$d/b.sum"
  # the log really did the work: deletions exist, and the log's history needed no untag model
  # and disagreed with the export nowhere
  n=$(grep -c ',retention,\|,manifest,\|,tag,' "$d/b/deletions.csv")
  if [ "$n" -gt 10 ] && grep -q 'the history follows its' "$d/b.txt" && ! grep -q 'disagree with the export' "$d/b.txt"
  then ok "seed$seed/log-used ($n deletions)"; else fail "seed$seed/log-used: $n deletions; $(grep 'event log' "$d/b.txt" | head -3)"; fi
done

# without the log the latest snapshot alone assumes (the untag model) and cannot see what was
# deleted: the comparison above is not trivially true
d=$tmp/s1
last=$(ls "$d"/snap-*.json | tail -1)
"$BIN" simulate -i "$last" -p $POL -f csv -o "$d/c/" -q -j1 2>/dev/null
if ! cmp -s "$d/a/daily.csv" "$d/c/daily.csv"; then ok "snapshot-alone-differs"; else fail "snapshot-alone-differs"; fi
# rows of a failed push or another registry add nothing: the log-only manifests are the deleted builds
if grep -q 'event log: of [0-9]* rows, [0-9]* did not succeed (not 2xx), [0-9]* are another registry' "$d/b.txt"
then ok "skipped-rows-counted"; else fail "skipped-rows-counted: $(grep 'event log' "$d/b.txt" | head -3)"; fi
[ "$failed" -eq 0 ]
