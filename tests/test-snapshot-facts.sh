#!/usr/bin/env bash
# Facts that change between snapshots (issue #13 item 6, sim/REPLAY.md "Several snapshots"):
# a lock takes effect at the exportedAt of the snapshot that first shows it, a digest whose
# createdTime moved on was pushed again, a lastUpdateTime that moved on is a push of a digest
# already there (not with --tag-delete-updates-manifest), and a manifest's lastUpdateTime as of
# a run is the latest value a snapshot showed that the run has reached. Each expectation below
# is worked out in tests/snapshot-facts/make.py's terms and fails without its rule (the
# "before" notes say what the replay did without it).
# Prints "planned N", then "ok facts/NAME" / "FAIL facts/NAME"; exits non-zero when one fails.
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
echo "planned 12"
python3 tests/snapshot-facts/make.py "$tmp"
SNAPS="-i $tmp/snap-1.json -i $tmp/snap-2.json -i $tmp/snap-3.json"
TASK='az acr task create --name p --registry facts --schedule "0 0 * * *" --context /dev/null --cmd'
cat >"$tmp/p.ini" <<EOF
[untagged]
$TASK "acr purge --filter '.*:.*' --ago 1d --untagged-only"
[tag-old]
$TASK "acr purge --filter 'tag-lock:old' --ago 1d"
EOF
run() {   # run DIR [more options]
  local d=$1; shift
  # shellcheck disable=SC2086
  "$BIN" simulate $SNAPS -p "$tmp/p.ini" -f csv -o "$tmp/$d/" -q "$@" 2>"$tmp/$d.err" ||
    { echo "FAIL facts/$d: simulate failed: $(head -2 "$tmp/$d.err")"; failed=$((failed + 1)); }
}
run plain
run touching --tag-delete-updates-manifest
# the same registry with snapshot 2 taken at midnight, the instant of a nightly run
python3 tests/snapshot-facts/make.py "$tmp/mid" --midnight
MSNAPS="-i $tmp/mid/snap-1.json -i $tmp/mid/snap-2.json -i $tmp/mid/snap-3.json"
# shellcheck disable=SC2086
"$BIN" simulate $MSNAPS -p "$tmp/p.ini" -f csv -o "$tmp/midnight/" -q 2>"$tmp/midnight.err" ||
  { echo "FAIL facts/midnight: simulate failed: $(head -2 "$tmp/midnight.err")"; failed=$((failed + 1)); }
# expect NAME DIR POLICY REPO KIND WANT: the run times of those deletions, space-separated
expect() {
  local got
  got=$(awk -F, -v p="$3" -v r="$4" -v k="$5" '$2 == p && $3 == r && $4 == k { printf "%s ", $1 }' "$tmp/$2/deletions.csv")
  if [ "$got" = "$6 " ]; then echo "ok facts/$1"; else echo "FAIL facts/$1: got \"$got\", want \"$6\""; failed=$((failed + 1)); fi
}
# unlocked at snapshot 2 (2026-01-16T12:00Z): the first nightly run after it (before: at once)
expect lock-off plain untagged lock-off manifest "2026-01-17T00:00:00Z"
# locked at snapshot 2: deleted by the first run old enough, before the lock (before: never)
expect lock-on plain untagged lock-on manifest "2026-01-03T00:00:00Z"
# a tag unlocked at snapshot 2 (same digest and time): deleted after it (before: at once)
expect tag-lock plain tag-old tag-lock tag "2026-01-17T00:00:00Z"
# deleted, pushed again at its new createdTime (2026-01-13T06:00Z), deleted again (before: once)
expect repush plain untagged repush manifest "2026-01-03T00:00:00Z 2026-01-15T00:00:00Z"
expect repush-touching touching untagged repush manifest "2026-01-03T00:00:00Z 2026-01-15T00:00:00Z"
# its lastUpdateTime moved on (2026-01-13T06:00Z): pushed again, so deleted again (before: once)
expect touch plain untagged touch manifest "2026-01-03T00:00:00Z 2026-01-15T00:00:00Z"
# ... unless tag deletions are taken to touch manifests: then that proves no push
expect touch-off touching untagged touch manifest "2026-01-03T00:00:00Z"
# lastUpdateTime 2026-01-02T06:00Z as of the runs before 2026-01-13: one day old only at the
# 2026-01-04 run (before: its push time until the later value, so deleted at 2026-01-03)
expect upd-list plain untagged upd-list manifest "2026-01-04T00:00:00Z 2026-01-15T00:00:00Z"
# unlocked at the instant of the run that sees it: that run deletes it (the run-skipping
# speed-up must visit the repository although nothing else changed there since the night
# before; skipping it would delete a night later)
expect lock-off-at-run midnight untagged lock-off manifest "2026-01-16T00:00:00Z"
expect tag-lock-at-run midnight tag-old tag-lock tag "2026-01-16T00:00:00Z"
# shellcheck disable=SC2086
PURGESIM_PLAIN_REPLAY=1 "$BIN" simulate $MSNAPS -p "$tmp/p.ini" -f csv -o "$tmp/midnight-slow/" -q 2>/dev/null
if cmp -s "$tmp/midnight/deletions.csv" "$tmp/midnight-slow/deletions.csv"; then
  echo "ok facts/midnight-plain-replay-agrees"
else
  echo "FAIL facts/midnight-plain-replay-agrees: $(diff "$tmp/midnight/deletions.csv" "$tmp/midnight-slow/deletions.csv" | head -3 | tr '\n' ' ')"
  failed=$((failed + 1))
fi
# the fast replay agrees with the plain one on all of this
PURGESIM_PLAIN_REPLAY=1 "$BIN" simulate $SNAPS -p "$tmp/p.ini" -f csv -o "$tmp/slow/" -q 2>/dev/null
if cmp -s "$tmp/plain/deletions.csv" "$tmp/slow/deletions.csv" && cmp -s "$tmp/plain/daily.csv" "$tmp/slow/daily.csv"; then
  echo "ok facts/plain-replay-agrees"
else
  echo "FAIL facts/plain-replay-agrees: $(diff "$tmp/plain/deletions.csv" "$tmp/slow/deletions.csv" | head -3 | tr '\n' ' ')"
  failed=$((failed + 1))
fi
[ "$failed" -eq 0 ]
