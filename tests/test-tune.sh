#!/usr/bin/env bash
# purgesim tune (issue #15): every candidate's figures are simulate's own for that candidate as
# a policy; the Pareto set and the recommendation follow from the figures; each constraint,
# alone, changes the recommendation the way it must; --by-repository's groups and combined
# policy; the exit codes.
#
# The figures are checked by tests/tune/check.py, which knows nothing of tune's code: it turns
# candidates.csv's schedule, command and retention_days columns into a policy file, and compares
# tune's row for each candidate with the summary.csv row simulate writes for that policy.
# Prints "planned N", then "ok tune/NAME" or "FAIL tune/NAME"; exits non-zero when one fails.
# Env: BIN (the purgesim binary).
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
CHECK="python3 tests/tune/check.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
echo "planned 51"
ok() { echo "ok tune/$1"; }
fail() { echo "FAIL tune/$1"; failed=$((failed + 1)); }
# check NAME COMMAND...: ok when the command succeeds; else FAIL with its first lines
check() {
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then ok "$name"; else fail "$name: $(printf '%s' "$out" | head -3 | tr '\n' ' ')"; fi
}

SAMPLE=data/sample/devreg.json
RISK="--events data/sample/devreg-events.json --in-use data/sample/in-use.txt"
NOINC=tests/tune/pricing-no-included.json

# ---- exact: every candidate, on the sample (with pulls and in-use), generated and churn ----------
"$BIN" generate --scale small --seed 7 --days 90 -o "$tmp/gen.json"
"$BIN" generate --scale small --profile churn --seed 3 --days 60 -o "$tmp/churn.json"
# exact NAME REGISTRY INPUT ARGS...: tune -f csv, then simulate of every candidate as a policy
exact() {
  local name=$1 reg=$2 input=$3; shift 3
  local d=$tmp/$name
  if ! "$BIN" tune -i "$input" "$@" -f csv -o "$d/tune/" -q 2>"$d.err"; then
    [ $? -eq 6 ] || { fail "exact/$name: tune failed: $(head -2 "$d.err")"; return; }
  fi
  $CHECK ini "$d/tune/candidates.csv" "$reg" >"$d.ini"
  # the candidates' policies, replayed by simulate (tune's own options less its constraints)
  local sim_args=() a
  for a in "$@"; do [ "$a" = --by-repository ] || sim_args+=("$a"); done
  if ! "$BIN" simulate -i "$input" "${sim_args[@]}" -p "$d.ini" -f csv -o "$d/sim/" -q 2>"$d.sim.err"; then
    fail "exact/$name: simulate failed: $(head -2 "$d.sim.err")"
    return
  fi
  check "exact/$name ($(($(wc -l <"$d/tune/candidates.csv") - 1)) candidates)" \
    $CHECK exact "$d/tune/candidates.csv" "$d/sim/summary.csv"
  check "pareto/$name" $CHECK pareto "$d/tune/candidates.csv"
}
exact sample devreg $SAMPLE $RISK
exact sample-premium devreg $SAMPLE --events data/sample/devreg-events.json --sku premium
exact generated reg "$tmp/gen.json" --sku premium
exact churn reg "$tmp/churn.json" --sku premium --tag-delete-updates-manifest
exact sample-window devreg $SAMPLE --from 2026-09-01 --to 2026-10-15 --untag-model own-update
# the recommendation on the default constraints: rollback depth 3, no broken pull, no in-use
# image deleted, runs within the task timeout at 5 deletions a second
check recommend/sample $CHECK recommend "$tmp/sample/tune/candidates.csv" --keep-versions 3 --max-broken-pulls 0 \
  --in-use --max-run-deletes 18000
check recommend/generated $CHECK recommend "$tmp/generated/tune/candidates.csv" --keep-versions 3 --max-run-deletes 18000
check recommend/churn $CHECK recommend "$tmp/churn/tune/candidates.csv" --keep-versions 3 --max-run-deletes 18000

# ---- a Pareto set worked out by hand ----------------------------------------------------------
# With no included storage every GiB costs. The grid: --keep 0, 3, 10 at --ago 0d, tags only or
# --untagged, nightly or weekly (12 candidates). Reasoning, not replaying:
#  - deleting a tag leaves its manifest stored (untagged), so the tags-only candidates cost what
#    the baseline costs; their --untagged twins delete the same tags (same rollback depth) and
#    untagged manifests too, so cost less: no tags-only candidate is in the set;
#  - weekly runs delete the same things later than nightly ones, so cost more; at --keep 0 both
#    keep no version (depth 0) and at --keep 10 neither takes one from the sample's repositories
#    (depth "all"): those weekly candidates are beaten by their nightly twins;
#  - nightly --untagged at keep 0, 3 and 10 trade money for depth: all three are in the set;
#  - weekly --untagged --keep 3 lets tags pile up for a week, so its runs leave more tagged
#    versions than nightly ones (depth 2 against 1 on the sample) for less than keep 10: in.
cat >"$tmp/hand.grid" <<'EOF'
# tests/test-tune.sh: the hand-worked Pareto set
keep = 0 3 10
ago = 0d
mode = tags untagged
schedule = 0 0 * * *
schedule = 0 0 * * 0
EOF
"$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" --keep-versions 0 -f csv -o "$tmp/hand/" -q
got=$(awk -F, 'NR > 1 && $(NF-4) == "true" { print $1 }' "$tmp/hand/candidates.csv" | sort | tr '\n' ' ')
want="k0-a0d-untagged-nightly k10-a0d-untagged-nightly k3-a0d-untagged-nightly k3-a0d-untagged-weekly "
if [ "$got" = "$want" ]; then ok "pareto/hand-worked"; else fail "pareto/hand-worked: got $got, want $want"; fi
check pareto/hand-recomputed $CHECK pareto "$tmp/hand/candidates.csv"

# ---- each constraint alone -----------------------------------------------------------------
# rec ARGS...: the recommended candidate's name ("" when none), with the hand grid and pricing
rec() {
  "$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" "$@" -f csv -o "$tmp/rec/" -q 2>/dev/null
  awk -F, 'NR > 1 && $(NF-3) == "true" { print $1 }' "$tmp/rec/candidates.csv"
  rm -rf "$tmp/rec"
}
# expect_rec NAME WANT ARGS...
expect_rec() {
  local name=$1 want=$2; shift 2
  local got
  got=$(rec "$@")
  if [ "$got" = "$want" ]; then ok "constraint/$name"; else fail "constraint/$name: recommended \"$got\", want \"$want\""; fi
}
# no constraint: the cheapest of all
expect_rec none k0-a0d-untagged-nightly --keep-versions 0
# depth 2: keep 0 (depth 0) and nightly keep 3 (depth 1) fall; weekly keep 3 is the cheapest left
expect_rec keep-versions-2 k3-a0d-untagged-weekly --keep-versions 2
# depth 3: only candidates that never take a version (keep 10) are left; nightly is cheaper
expect_rec keep-versions-3 k10-a0d-untagged-nightly --keep-versions 3
# a run-size cap below nightly keep 0's largest run moves the choice to the cheapest whose runs fit
max_run_k0=$(awk -F, 'NR > 1 && $1 == "k0-a0d-untagged-nightly" { print $13 }' "$tmp/hand/candidates.csv")
cands_small=$(awk -F, -v m="$max_run_k0" 'NR > 1 && $13 < m { print $1 }' "$tmp/hand/candidates.csv" | head -1)
got=$(rec --keep-versions 0 --max-run-deletes $((max_run_k0 - 1)))
if [ -n "$max_run_k0" ] && [ "$got" != k0-a0d-untagged-nightly ] && [ -n "$got" ] &&
   $CHECK recommend <("$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" --keep-versions 0 \
        --max-run-deletes $((max_run_k0 - 1)) -f csv -o "$tmp/run/" -q 2>/dev/null; cat "$tmp/run/candidates.csv") \
        --keep-versions 0 --max-run-deletes $((max_run_k0 - 1)) >/dev/null; then
  ok "constraint/max-run-deletes (k0 nightly's largest run: $max_run_k0; now $got)"
else
  fail "constraint/max-run-deletes: largest run $max_run_k0, recommended \"$got\" (first smaller: $cands_small)"
fi
# the cheapest (nightly keep 0) also has the lowest peak, 3.83 GiB: a cap above it changes nothing,
# one below it leaves no candidate (exit 6, below)
expect_rec max-gib-3.9 k0-a0d-untagged-nightly --keep-versions 0 --max-gib 3.9
expect_rec max-gib-3.8 "" --keep-versions 0 --max-gib 3.8
# broken pulls: the sample's log has pulls that keep-0 and keep-3 policies break
"$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" --keep-versions 0 --max-broken-pulls 1000000 \
  --events data/sample/devreg-events.json -f csv -o "$tmp/pulls-any/" -q 2>/dev/null
"$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" --keep-versions 0 \
  --events data/sample/devreg-events.json -f csv -o "$tmp/pulls-0/" -q 2>/dev/null
check pulls/unlimited $CHECK recommend "$tmp/pulls-any/candidates.csv" --keep-versions 0 --max-broken-pulls 1000000
check pulls/default-zero $CHECK recommend "$tmp/pulls-0/candidates.csv" --keep-versions 0 --max-broken-pulls 0
any=$(awk -F, 'NR > 1 && $(NF-3) == "true" { print $1 ":" $15 }' "$tmp/pulls-any/candidates.csv")
zero=$(awk -F, 'NR > 1 && $(NF-3) == "true" { print $1 ":" $15 }' "$tmp/pulls-0/candidates.csv")
case "$any" in *:0) fail "pulls/binds: the cheapest ($any) breaks no pull, so the constraint cannot bind here" ;;
  *) case "$zero" in *:0) ok "pulls/binds ($any unlimited, $zero with the default 0)" ;;
       *) fail "pulls/binds: with the default 0 the recommendation is $zero" ;; esac ;; esac
# in-use: the sample's list pins images that keep-0 deletes
"$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" --keep-versions 0 --in-use data/sample/in-use.txt \
  -f csv -o "$tmp/inuse/" -q 2>/dev/null
check inuse/recommend $CHECK recommend "$tmp/inuse/candidates.csv" --keep-versions 0 --in-use
got=$(awk -F, 'NR > 1 && $(NF-3) == "true" { print $1 ":" $16 }' "$tmp/inuse/candidates.csv")
case "$got" in k0-a0d-untagged-nightly:*) fail "inuse/binds: still $got" ;; *:0) ok "inuse/binds ($got)" ;;
  *) fail "inuse/binds: $got" ;; esac

# ---- no candidate meets: exit 6, the binding constraint and the closest ----------------------
"$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" --keep-versions 0 --budget 7.9 >"$tmp/none.txt" 2>&1
rc=$?
[ $rc -eq 6 ] && ok "none/exit-6" || fail "none/exit-6: exit $rc"
grep -q '^  --budget binds: the closest candidate is k0-a0d-untagged-nightly (7.97 AUD/mo), which misses budget.$' \
  "$tmp/none.txt" && ok "none/budget-binds" || fail "none/budget-binds: $(sed -n 4,6p "$tmp/none.txt" | tr '\n' ' ')"
# two constraints: the one that alone stops the cheapest binds (here depth: keep 0 misses only it)
"$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" --keep-versions 2 --budget 8.0 >"$tmp/none2.txt" 2>&1
rc=$?
[ $rc -eq 6 ] && grep -q '^  --keep-versions binds: the closest candidate is k0-a0d-untagged-nightly' "$tmp/none2.txt" &&
  ok "none/depth-binds" || fail "none/depth-binds: exit $rc, $(sed -n 5p "$tmp/none2.txt")"
"$BIN" tune -i $SAMPLE --pricing $NOINC --grid "$tmp/hand.grid" --keep-versions 0 --budget 7.9 -o "$tmp/none-dir/" \
  >/dev/null 2>&1
grep -q "^# No candidate met every constraint" "$tmp/none-dir/recommended.ini" 2>/dev/null &&
  ok "none/report-written" || fail "none/report-written: $(ls "$tmp/none-dir" 2>&1 | tr '\n' ' ')"

# ---- the recommendation as a policy file, checked by simulate ----------------------------------
"$BIN" tune -i $SAMPLE $RISK -o "$tmp/recdir/" -q >/dev/null
"$BIN" simulate -i $SAMPLE $RISK -p "$tmp/recdir/recommended.ini" -f csv -o "$tmp/recsim/" -q 2>/dev/null
want=$(awk -F, 'NR > 1 && $(NF-3) == "true" { print $1 }' "$tmp/sample/tune/candidates.csv")
got=$(grep -c "^$want," "$tmp/recsim/summary.csv")
[ -n "$want" ] && [ "$got" = 1 ] && ok "policy-file/recommended ($want)" || fail "policy-file/recommended: $want in summary.csv: $got"
for f in tune.txt tune-pareto.png tune-pareto.svg recommended.ini; do
  [ -s "$tmp/recdir/$f" ] || { fail "outputs/$f missing"; continue; }
done
[ -s "$tmp/recdir/tune.txt" ] && [ -s "$tmp/recdir/tune-pareto.svg" ] && ok "outputs/dir" || fail "outputs/dir: $(ls "$tmp/recdir" | tr '\n' ' ')"

# ---- --by-repository ---------------------------------------------------------------------------
exact by-repository devreg $SAMPLE $RISK --by-repository
check recommend/by-repository $CHECK recommend "$tmp/by-repository/tune/candidates.csv" --keep-versions 3 \
  --max-broken-pulls 0 --in-use --max-run-deletes 18000
"$BIN" tune -i $SAMPLE $RISK --by-repository -o "$tmp/byrepo/" -q >/dev/null
ntasks=$(grep -c '^az acr task create' "$tmp/byrepo/recommended.ini")
nrepos=$(jq '.repositories | length' $SAMPLE)
[ "$ntasks" = "$nrepos" ] && ok "by-repository/a-task-per-repository ($ntasks)" ||
  fail "by-repository/a-task-per-repository: $ntasks tasks, $nrepos repositories"
# each task's filter names its one repository, so no task purges another's
"$BIN" simulate -i $SAMPLE $RISK -p "$tmp/byrepo/recommended.ini" -f csv -o "$tmp/byrepo-sim/" -q 2>/dev/null
row=$(awk -F, '$1 == "by-repository"' "$tmp/byrepo-sim/summary.csv")
depth=$(echo "$row" | awk -F, '{ print $22 }')
broken=$(echo "$row" | awk -F, '{ print $19 }')
[ -z "$depth" ] || [ "$depth" -ge 3 ] && [ "$broken" = 0 ] && ok "by-repository/combined-meets (depth ${depth:-all}, broken $broken)" ||
  fail "by-repository/combined-meets: depth $depth, broken $broken"
# the combined policy's money in the report is simulate's for recommended.ini
money=$(awk -F, '$1 == "by-repository" { printf "%.2f", $12 + $15 }' "$tmp/byrepo-sim/summary.csv")
grep -q "^  $money AUD per month (storage and SKU fee)" "$tmp/byrepo/tune.txt" && ok "by-repository/combined-money ($money)" ||
  fail "by-repository/combined-money: simulate $money, report: $(grep 'per month' "$tmp/byrepo/tune.txt" | head -1)"
# --group gathers repositories: one task for team-a's two
"$BIN" tune -i $SAMPLE --by-repository --group 'team-a/.*' -o "$tmp/grp/" -q >/dev/null
grep -q "^az acr task create --name purge-group1 .*--filter '(?:team-a/auth-svc|team-a/web):\.\*'" "$tmp/grp/recommended.ini" &&
  [ "$(grep -c '^az acr task create' "$tmp/grp/recommended.ini")" = $((nrepos - 1)) ] &&
  ok "by-repository/group" || fail "by-repository/group: $(grep -c '^az' "$tmp/grp/recommended.ini") tasks"

# ---- Markdown and text agree with the csv on the recommendation -----------------------------------
"$BIN" tune -i $SAMPLE $RISK -f markdown -q >"$tmp/tune.md"
want=$(awk -F, 'NR > 1 && $(NF-3) == "true" { print $1 }' "$tmp/sample/tune/candidates.csv")
grep -q "^\*\*Recommended: $want\*\*" "$tmp/tune.md" && ok "markdown/recommended" || fail "markdown/recommended: $(grep -m1 Recommended "$tmp/tune.md")"
grep -q "^Recommended: $want$" "$tmp/recdir/tune.txt" && ok "text/recommended" || fail "text/recommended"

# ---- every format carries the warnings: the Markdown lists the text report's, word for word ----
# warnings_agree NAME ARGS...: tune's text and Markdown reports of the same run (the hand grid)
warnings_agree() {
  local name=$1; shift
  "$BIN" tune -i $SAMPLE --grid "$tmp/hand.grid" "$@" -q >"$tmp/w-$name.txt" 2>&1
  "$BIN" tune -i $SAMPLE --grid "$tmp/hand.grid" "$@" -q -f markdown >"$tmp/w-$name.md" 2>&1
  check "warnings/$name" $CHECK warnings "$tmp/w-$name.txt" "$tmp/w-$name.md"
}
# the event log's and in-use list's notes, a filter matching nothing, a schedule that never fires
warnings_agree markdown $RISK --filter 'nomatch:.*' --from 2026-10-01 --to 2026-10-02
# --by-repository's report is laid out apart; a --group matching nothing is its own warning
warnings_agree markdown-by-repository $RISK --by-repository --group 'nomatch/.*' --group 'team-a/.*'

# ---- a filter that matches no repository ------------------------------------------------------
# simulate and dry-run warn and go on; so does tune, whose candidates then delete nothing
"$BIN" tune -i $SAMPLE --grid "$tmp/hand.grid" --filter 'nomatch:.*' -q >"$tmp/nomatch.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "^  - \[all 12 candidates\] --filter 'nomatch:\.\*' matches no repository of the export .*(5 repositories)" \
  "$tmp/nomatch.txt" && ok "filter-nomatch/warns" || fail "filter-nomatch/warns: exit $rc, $(tail -1 "$tmp/nomatch.txt")"
# with --by-repository there is no group, so no candidate: a usage error (exit 2) saying why in one
# line, and no report
"$BIN" tune -i $SAMPLE --by-repository --filter 'nomatch:.*' -q >"$tmp/nomatch-by.out" 2>"$tmp/nomatch-by.err"
rc=$?
want="purgesim tune: --by-repository has nothing to tune: --filter 'nomatch:.*' matches no repository of the export (5 repositories): the repository part must match a whole name"
[ $rc -eq 2 ] && [ "$(head -1 "$tmp/nomatch-by.err")" = "$want" ] && [ ! -s "$tmp/nomatch-by.out" ] &&
  ok "filter-nomatch/by-repository-exit-2" || fail "filter-nomatch/by-repository-exit-2: exit $rc, $(head -1 "$tmp/nomatch-by.err")"
# a --group matching nothing leaves the other repositories to tune: a warning naming it, exit 0
"$BIN" tune -i $SAMPLE --grid "$tmp/hand.grid" --by-repository --group 'nomatch/.*' -q >"$tmp/nomatch-grp.txt" 2>&1
rc=$?
want="  - --group 'nomatch/.*' matches no repository the filter '.*:.*' selects (5 of the export's 5 repositories): it is left out"
[ $rc -eq 0 ] && grep -qxF -- "$want" "$tmp/nomatch-grp.txt" && ok "group-nomatch/warns" ||
  fail "group-nomatch/warns: exit $rc, $(tail -1 "$tmp/nomatch-grp.txt")"
# a --group whose repositories an earlier --group took says so
"$BIN" tune -i $SAMPLE --grid "$tmp/hand.grid" --by-repository --group 'team-.*' --group 'team-a/.*' -q \
  >"$tmp/taken-grp.txt" 2>&1
rc=$?
want="  - --group 'team-a/.*' matches only repositories an earlier --group took (the first that matches wins): it is left out"
[ $rc -eq 0 ] && grep -qxF -- "$want" "$tmp/taken-grp.txt" && ok "group-taken/warns" ||
  fail "group-taken/warns: exit $rc, $(tail -1 "$tmp/taken-grp.txt")"

# ---- a setting listed twice (1d and 24h are one --ago; spacing aside, one cron) is one candidate ----
cat >"$tmp/dup.grid" <<'EOF'
keep = 3 3
ago = 1d 24h 7d
mode = untagged
schedule = 0 0 * * *
schedule = 0  0 * * *
schedule = 0 1 * * *
retention = 7 7
EOF
if "$BIN" tune -i $SAMPLE --grid "$tmp/dup.grid" -f csv -o "$tmp/dup/" -q 2>"$tmp/dup.err" || [ $? -eq 6 ]; then
  names=$(tail -n +2 "$tmp/dup/candidates.csv" | cut -d, -f1 | tr '\n' ' ')
  [ "$names" = "k3-a1d-untagged-nightly k3-a7d-untagged-nightly k3-a1d-untagged-cron2 k3-a7d-untagged-cron2 retention-7d " ] &&
    ok "grid/duplicates-once" || fail "grid/duplicates-once: $names"
else
  fail "grid/duplicates-once: exit $?, $(head -2 "$tmp/dup.err")"
fi

# ---- the report holds no timing: the same run writes the same report; the time goes to stderr ----
"$BIN" tune -i $SAMPLE -j 1 >"$tmp/t1.txt" 2>"$tmp/t1.err"
"$BIN" tune -i $SAMPLE -j 2 -q >"$tmp/t2.txt" 2>"$tmp/t2.err"
cmp -s "$tmp/t1.txt" "$tmp/t2.txt" && ! grep -q ' s (' "$tmp/t1.txt" && ok "timing/not-in-report" ||
  fail "timing/not-in-report: $(grep 'replayed' "$tmp/t1.txt" "$tmp/t2.txt" | tr '\n' ' ')"
grep -q '^336 candidates replayed in [0-9.]* s ([0-9.]* per second) with 1 thread$' "$tmp/t1.err" && [ ! -s "$tmp/t2.err" ] &&
  ok "timing/stderr-unless-quiet" || fail "timing/stderr-unless-quiet: $(cat "$tmp/t1.err" "$tmp/t2.err" | tr '\n' ' ')"

# ---- forecast ------------------------------------------------------------------------------------
if "$BIN" tune -i $SAMPLE --forecast-days 30 -f csv -o "$tmp/fc/" -q 2>"$tmp/fc.err" || [ $? -eq 6 ]; then
  $CHECK ini "$tmp/fc/candidates.csv" devreg >"$tmp/fc.ini"
  if "$BIN" forecast -i $SAMPLE --days 30 -p "$tmp/fc.ini" -f json -o "$tmp/fc.json" -q 2>"$tmp/fcs.err"; then
    check "forecast/exact" $CHECK exact-forecast "$tmp/fc/candidates.csv" "$tmp/fc.json"
  else
    fail "forecast/exact: forecast failed: $(head -2 "$tmp/fcs.err")"
  fi
else
  fail "forecast/exact: $(head -2 "$tmp/fc.err")"
fi

[ "$failed" -eq 0 ]
