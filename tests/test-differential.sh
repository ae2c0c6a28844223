#!/usr/bin/env bash
# The differential test of the replay's speed-ups (issue #15): every case replays its policies
# twice, once as the commands always do and once with PURGESIM_PLAIN_REPLAY=1 (every selected
# repository at every firing, no run skipping), and the two must write the same bytes: the CSV
# directory (charts included), the JSON report, what each printed on stdout and stderr, and the
# exit status.
#
# Inputs, made afresh in a temporary directory:
#  - tests/differential/make-registry.py SEED: one registry in four snapshots (revivals, natural
#    removals, moving and vanishing tags, referrers, indexes, locks, a tag whose time cannot be
#    read and one that times a regex out, so runs fail for a while and then succeed) and its
#    event log of pulls, many of them at the window's edges; replayed with
#    tests/differential/snapshots.ini (soft delete, retention, hourly to weekly schedules,
#    several tasks and timers, --keep/--ago/--untagged/--untagged-only/--include-locked, dry run)
#    over default and explicit windows, with --tag-delete-updates-manifest and each untag model;
#  - `purgesim generate` at several scales, seeds and profiles, with tests/differential/generated.ini;
#  - the sample registry (one and two snapshots) with its example policies, events and in-use list.
# Besides simulate, `report --month` and `forecast` go through the same replay and are compared
# too.
#
# Prints "planned N", then "ok diff/NAME" or "FAIL diff/NAME" per case (with the first file and
# line that differ), and exits non-zero when a case failed. Env: BIN (the purgesim binary).
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
D=tests/differential
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# ---- the cases: NAME, then purgesim's arguments (shell words; $tmp/... are the made inputs) ----
SNAP4='-i $tmp/s1/snap-1.json -i $tmp/s1/snap-2.json -i $tmp/s1/snap-3.json -i $tmp/s1/snap-4.json'
snap4() { printf '%s' "${SNAP4//s1/$1}"; }
cases=(
  "snapshots-seed1 simulate $(snap4 s1) -p $D/snapshots.ini --events \$tmp/s1/events.json --sku premium"
  "snapshots-seed2 simulate $(snap4 s2) -p $D/snapshots.ini --events \$tmp/s2/events.json --sku premium"
  "snapshots-seed3 simulate $(snap4 s3) -p $D/snapshots.ini --events \$tmp/s3/events.json --sku premium"
  # the window opens at snapshot 2's exportedAt (a midnight) and closes on snapshot 3's day
  "snapshots-window-at-snapshot simulate $(snap4 s1) -p $D/snapshots.ini --events \$tmp/s1/events.json --from 2026-02-09T00:00:00Z --to 2026-02-24"
  # mid-day instants: trimmed to the whole days inside them
  "snapshots-window-instants simulate $(snap4 s2) -p $D/snapshots.ini --events \$tmp/s2/events.json --from 2026-01-20T12:00:00Z --to 2026-03-01T23:59:59.999999999Z"
  "snapshots-tag-delete-updates-manifest simulate $(snap4 s2) -p $D/snapshots.ini --events \$tmp/s2/events.json --tag-delete-updates-manifest"
  "snapshots-seed3-tag-delete-updates-manifest simulate $(snap4 s3) -p $D/snapshots.ini --tag-delete-updates-manifest --from 2026-01-15"
  "snapshots-own-update simulate $(snap4 s3) -p $D/snapshots.ini --events \$tmp/s3/events.json --untag-model own-update"
  "snapshots-never-tagged simulate $(snap4 s1) -p $D/snapshots.ini --untag-model never-tagged --jobs 1"
  # two of the four snapshots, given out of order
  "snapshots-two-of-four simulate -i \$tmp/s2/snap-3.json -i \$tmp/s2/snap-1.json -p $D/snapshots.ini"
  "snapshots-report-month report $(snap4 s1) -p $D/snapshots.ini --events \$tmp/s1/events.json --month 2026-02"
  "snapshots-forecast forecast $(snap4 s2) -p $D/snapshots.ini --days 21 --seed 4"
  "generated-tiny-seed1 simulate -i \$tmp/g-tiny-1.json -p $D/generated.ini"
  "generated-tiny-seed2 simulate -i \$tmp/g-tiny-2.json -p $D/generated.ini --tag-delete-updates-manifest"
  "generated-tiny-seed3 simulate -i \$tmp/g-tiny-3.json -p $D/generated.ini --untag-model own-update"
  "generated-small simulate -i \$tmp/g-small.json -p $D/generated.ini --sku premium"
  "generated-churn simulate -i \$tmp/g-churn.json -p $D/generated.ini --sku premium --from 2026-10-10"
  # tag times from 1999 and manifest times from 2150: the time indexes' buckets grow wider than a
  # day; the window runs 40 days past the export, where only time (no push) makes runs delete
  "generated-far-times simulate -i \$tmp/g-far.json -p $D/generated.ini --sku premium --to 2026-07-10"
  "sample-risk simulate -i data/sample/devreg.json -p data/policies/example.ini -p $D/generated.ini --events data/sample/devreg-events.json --in-use data/sample/in-use.txt --sku premium"
  # facts that change between snapshots: locks, lastUpdateTime values, pushes again (tests/snapshot-facts)
  "snapshot-facts simulate -i \$tmp/facts/snap-1.json -i \$tmp/facts/snap-2.json -i \$tmp/facts/snap-3.json -p $D/snapshots.ini --sku premium"
  "snapshot-facts-touching simulate -i \$tmp/facts/snap-1.json -i \$tmp/facts/snap-2.json -i \$tmp/facts/snap-3.json -p $D/generated.ini --tag-delete-updates-manifest"
  "sample-two-snapshots simulate -i tests/cases/sim-two-snapshots/early.json -i data/sample/devreg.json -p data/policies/example.ini -p $D/generated.ini --sku premium"
)
echo "planned ${#cases[@]}"

# ---- the inputs ------------------------------------------------------------------------------
prep_err=""
for seed in 1 2 3; do
  python3 $D/make-registry.py $seed "$tmp/s$seed" 2>"$tmp/prep.err" ||
    prep_err="$prep_err make-registry.py $seed failed: $(head -3 "$tmp/prep.err");"
done
python3 tests/snapshot-facts/make.py "$tmp/facts" 2>"$tmp/prep.err" ||
  prep_err="$prep_err snapshot-facts/make.py failed: $(head -3 "$tmp/prep.err");"
gen() {   # gen FILE ARGS...
  local out=$1; shift
  "$BIN" generate -q "$@" -o "$out" 2>"$tmp/prep.err" || prep_err="$prep_err purgesim generate $* failed: $(head -3 "$tmp/prep.err");"
}
gen "$tmp/g-tiny-1.json" --scale tiny --seed 1 --days 60
gen "$tmp/g-tiny-2.json" --scale tiny --seed 2 --days 120 --exported-at 2026-03-15T12:34:56Z
gen "$tmp/g-tiny-3.json" --scale tiny --seed 3 --days 30
gen "$tmp/g-small.json" --scale small --seed 7 --days 75
gen "$tmp/g-churn.json" --profile churn --scale small --seed 2 --days 35
# far-times: every third tag of every repository dated 1999, every fifth manifest's lastUpdateTime 2150
gen "$tmp/g-far-src.json" --scale small --seed 5 --days 60 --exported-at 2026-06-01T00:00:00Z
python3 - "$tmp/g-far-src.json" "$tmp/g-far.json" <<'PY' 2>"$tmp/prep.err" || prep_err="$prep_err far-times failed: $(head -3 "$tmp/prep.err");"
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["repositories"]:
    for i, m in enumerate(r["manifests"]):
        if i % 5 == 4:
            m["lastUpdateTime"] = "2150-01-01T00:00:00Z"
    for j, t in enumerate(r.get("tags") or []):
        if j % 3 == 0:
            t["lastUpdateTime"] = "1999-01-01T00:00:00Z"
json.dump(d, open(sys.argv[2], "w"))
PY

# ---- comparing -------------------------------------------------------------------------------
# first_diff A B: says where regular files A and B first differ (a line of each)
first_diff() {
  local n
  n=$(cmp "$1" "$2" 2>/dev/null | sed -n 's/.* line \([0-9]*\)$/\1/p')
  if [ -z "$n" ]; then echo "one is a prefix of the other (sizes $(wc -c <"$1") and $(wc -c <"$2"))"; return; fi
  echo "line $n: fast: $(sed -n "${n}p" "$1" | cut -c1-300)"
  echo "    plain: $(sed -n "${n}p" "$2" | cut -c1-300)"
}
# same_tree FAST PLAIN: empty output when the two directories hold the same files and bytes
# (charts included); else one message per difference
same_tree() {
  local f rel
  (cd "$1" && find . -type f | sort) >"$tmp/list.fast"
  (cd "$2" && find . -type f | sort) >"$tmp/list.plain"
  if ! cmp -s "$tmp/list.fast" "$tmp/list.plain"; then
    diff "$tmp/list.fast" "$tmp/list.plain" | sed -n 's/^< \(.*\)/only the fast replay wrote \1/p; s/^> \(.*\)/only the plain replay wrote \1/p'
  fi
  while read -r rel; do
    f=${rel#./}
    [ -f "$2/$f" ] || continue
    if ! cmp -s "$1/$f" "$2/$f"; then
      echo "$f differs, $(first_diff "$1/$f" "$2/$f")"
    fi
  done <"$tmp/list.fast"
}
# replay DIR COMMAND ARGS...: the command's CSV directory and JSON report, stdout, stderr and
# exit status, in DIR
replay() {
  local dir=$1 cmd=$2; shift 2
  mkdir -p "$dir"
  "$BIN" "$cmd" -q "$@" --format csv -o "$dir/csv" >"$dir/csv.stdout" 2>"$dir/csv.stderr"
  echo $? >"$dir/csv.exit"
  "$BIN" "$cmd" -q "$@" --format json -o "$dir/report.json" >"$dir/json.stdout" 2>"$dir/json.stderr"
  echo $? >"$dir/json.exit"
}

for c in "${cases[@]}"; do
  name=${c%% *}
  eval "set -- ${c#* }"
  if [ -n "$prep_err" ]; then
    echo "FAIL diff/$name: the inputs could not be made:$prep_err"; failed=$((failed + 1)); continue
  fi
  dir=$tmp/case/$name
  rm -rf "$dir"
  replay "$dir/fast" "$@"
  PURGESIM_PLAIN_REPLAY=1 replay "$dir/plain" "$@"
  why=""
  for fmt in csv json; do
    if [ "$(cat "$dir/fast/$fmt.exit")" != 0 ]; then
      why="$why purgesim $1 --format $fmt exited $(cat "$dir/fast/$fmt.exit"): $(head -3 "$dir/fast/$fmt.stderr");"
    fi
  done
  # the replay must have done something worth comparing: some policy deleted something
  if [ -z "$why" ] && ! grep -Eq '"(tags_deleted|tags)": [1-9]' "$dir/fast/report.json"; then
    why=" no policy deleted a tag: the case compares nothing;"
  fi
  diffs=$(same_tree "$dir/fast" "$dir/plain")
  if [ -n "$diffs" ]; then why="$why the fast and the plain replay differ:"$'\n'"$(printf '%s\n' "$diffs" | head -12 | sed 's/^/  /')"; fi
  if [ -z "$why" ]; then echo "ok diff/$name"
  else
    echo "FAIL diff/$name:$why"
    failed=$((failed + 1))
  fi
  rm -rf "$dir"
done
[ "$failed" -eq 0 ]
