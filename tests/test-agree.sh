#!/usr/bin/env bash
# One truth: the same question asked of different commands and outputs gets the same number.
#  - a dry run at the export's instant, a one-day simulate window whose one run is at that
#    instant, and a forecast's first run delete the same tags and manifests, and the dry run's
#    saving per month is the one-day simulate's saving (nothing is pushed that day), under
#    several SKUs, replica counts, units and price overrides, under which a forecast states
#    the prices simulate states;
#  - simulate's table, CSV and JSON give each policy the same deletions, end storage and money;
#  - report --month's text, JSON, CSV and HTML give each policy the same month figures, and
#    its money chart states the SKU fee its tables charge;
#  - the Markdown tables of simulate and report give the same rows as the JSON, and report's
#    Markdown headline names the month's best policies with the month's figures;
#  - with --events and --in-use, each policy's broken pulls and in-use images deleted agree
#    between simulate's table, CSV, JSON and Markdown, and report --html's month;
#  - dry-run and simulate give the same warnings about the event log's skipped rows and the
#    in-use references skipped or not in the export;
#  - a policy file, event log, in-use list, price table or tune grid read from a pipe gives the
#    figures the same file gives.
# Prints "ok NAME" / "FAIL NAME" per check and exits non-zero when any fails.
set -u
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
command -v jq >/dev/null || { echo "FAIL agree/jq-missing (make deps installs jq)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
EXPORT=data/sample/devreg.json
POLICIES=data/policies/example.ini
DAY=2026-11-01   # the sample's exportedAt is 2026-11-01T00:00:00Z
failed=0 planned=0

check() {   # check NAME EXPECTED ACTUAL
  planned=$((planned + 1))
  if [ "$2" = "$3" ]; then echo "ok agree/$1"; else echo "FAIL agree/$1: expected '$2', got '$3'"; failed=$((failed + 1)); fi
}
near() {    # near NAME A B: equal to 4 decimals
  planned=$((planned + 1))
  if awk -v a="$2" -v b="$3" 'BEGIN { d = a - b; exit !(d < 0.00005 && d > -0.00005) }'; then echo "ok agree/$1"
  else echo "FAIL agree/$1: $2 vs $3"; failed=$((failed + 1)); fi
}
run() {     # run OUT ARGS...: runs purgesim, failing the check on a non-zero exit
  local out=$1; shift
  if ! "$BIN" "$@" >"$out" 2>"$tmp/err"; then
    echo "FAIL agree/run: purgesim $* exited non-zero: $(head -3 "$tmp/err")"; failed=$((failed + 1)); return 1
  fi
}

# ---- dry run == one-day simulate == forecast's first run --------------------------------------
commands=(
  "acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged"
  "acr purge --filter 'team-a/.*:.*' --ago 14d --untagged"
  "acr purge --filter '.*:^2' --ago 0d --keep 1"
)
money=(
  ""
  "--sku standard"
  "--sku basic --replicas 3 --unit GB"
  "--price-per-gb-day 0.02 --currency AUD --sku basic"
)
for ci in "${!commands[@]}"; do
  cmd=${commands[$ci]}
  for mi in "${!money[@]}"; do
    read -r -a extra <<<"${money[$mi]}"
    name="cmd$ci-money$mi"
    eval "set -- $cmd"
    run "$tmp/dry.json" dry-run -q -i "$EXPORT" --format json "${extra[@]}" -- "$@" || continue
    run "$tmp/sim.json" simulate -q -i "$EXPORT" --policy "p=$cmd" --from $DAY --to $DAY --format json "${extra[@]}" || continue
    dry_tags=$(jq '.deleted_tags | length' "$tmp/dry.json")
    dry_mans=$(jq '.deleted_manifests | length' "$tmp/dry.json")
    dry_casc=$(jq '.cascade_deleted_manifests | length' "$tmp/dry.json")
    dry_freed=$(jq 'if .reclaimed_bytes_dedup == null then .reclaimed_bytes + .cascade_bytes else .reclaimed_bytes_dedup end' "$tmp/dry.json")
    dry_month=$(jq ".cost.saving_per_month" "$tmp/dry.json")
    p='.policies[] | select(.name == "p")'
    b='.policies[] | select(.name == "baseline")'
    check "$name/tags" "$dry_tags" "$(jq "$p | .tags_deleted" "$tmp/sim.json")"
    check "$name/manifests" "$dry_mans" "$(jq "$p | .manifests_deleted_purge" "$tmp/sim.json")"
    check "$name/cascade" "$dry_casc" "$(jq "$p | .cascade_deleted" "$tmp/sim.json")"
    key=$(jq -r 'if .basis == "dedup" then "stored_bytes_dedup" else "stored_bytes" end' "$tmp/sim.json")
    check "$name/bytes-freed" "$dry_freed" "$(jq "($b | .daily[0].$key) - ($p | .daily[0].$key)" "$tmp/sim.json")"
    near "$name/saving-per-month" "$dry_month" "$(jq "$p | .saving_per_month" "$tmp/sim.json")"
    if [ "$mi" = 0 ]; then
      for days in 1 7 30; do
        run "$tmp/fc.json" forecast -q -i "$EXPORT" --policy "p=$cmd" --days $days --format json || continue
        fr=".policies[] | select(.name == \"p\") | .first_run"
        check "$name/forecast-$days-days-tags" "$dry_tags" "$(jq "$fr | .tags" "$tmp/fc.json")"
        check "$name/forecast-$days-days-manifests" "$dry_mans" "$(jq "$fr | .manifests" "$tmp/fc.json")"
      done
    fi
    # the price a forecast states is the one simulate states, under every money option
    if [ "$ci" = 0 ] && run "$tmp/fcm.json" forecast -q -i "$EXPORT" --policy "p=$cmd" --days 7 --format json "${extra[@]}"; then
      prices='[.sku, .replicas, .unit, .currency, .basis, .included_units, .price_per_unit_day, .sku_fee_per_day,
               .sku_fee_per_month, .pricing_date] | @tsv'
      check "$name/forecast-prices" "$(jq -r "$prices" "$tmp/sim.json")" "$(jq -r "$prices" "$tmp/fcm.json")"
    fi
  done
done

# ---- simulate: table == CSV == JSON, per policy ---------------------------------------------
# Each output rounds differently: compare at the table's precision (counts exact, GiB and money
# to 2 decimals). A row is "name tags purge retention cascade end storage/mo saving/mo".
two() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
run "$tmp/s.json" simulate -q -i "$EXPORT" -p "$POLICIES" --format json &&
run "$tmp/s.txt" simulate -q -i "$EXPORT" -p "$POLICIES" &&
run "$tmp/csv.out" simulate -q -i "$EXPORT" -p "$POLICIES" --format csv -o "$tmp/csv" && {
  jq -r '.policies[] | [.name, .tags_deleted, .manifests_deleted_purge, .manifests_deleted_retention, .cascade_deleted,
         .end_units, .storage_per_month, .saving_per_month] | @tsv' "$tmp/s.json" |
    while IFS=$'\t' read -r n t m r c e sm sv; do echo "$n $t $m $r $c $(two "$e") $(two "$sm") $(two "$sv")"; done >"$tmp/rows.json"
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { printf "%s %s %s %s %s %.2f %.2f %.2f\n", $col["policy"], $col["tags_deleted"], $col["manifests_deleted_purge"],
      $col["manifests_deleted_retention"], $col["cascade_deleted"], $col["end_units"], $col["storage_per_month"],
      $col["saving_per_month"] }' "$tmp/csv/summary.csv" >"$tmp/rows.csv"
  # the table: the policy rows follow the two header lines, up to the blank line
  awk '/^policy / { on = 1; skip = 1; next } on && skip { skip = 0; next } on && NF == 0 { exit }
    on { print $1, $3, $4, $5, $6, $7, $12, $13 }' "$tmp/s.txt" >"$tmp/rows.table"
  check "simulate/policies" "4" "$(wc -l <"$tmp/rows.json" | tr -d ' ')"
  check "simulate/csv-equals-json" "$(cat "$tmp/rows.json")" "$(cat "$tmp/rows.csv")"
  check "simulate/table-equals-json" "$(cat "$tmp/rows.json")" "$(cat "$tmp/rows.table")"
  # the Markdown: the rows of the table whose header starts "| policy | runs |" (the delimiter row skipped)
  if run "$tmp/s.md" simulate -q -i "$EXPORT" -p "$POLICIES" --format markdown; then
    awk -F' [|] ' '/^[|] policy [|] runs [|]/ { on = 1; skip = 1; next } on && skip { skip = 0; next }
      on && !/^[|]/ { exit } on { sub(/^[|] /, "", $1); sub(/ [|]$/, "", $NF); print $1, $3, $4, $5, $6, $7, $12, $13 }' "$tmp/s.md" >"$tmp/rows.md"
    check "simulate/markdown-equals-json" "$(cat "$tmp/rows.json")" "$(cat "$tmp/rows.md")"
  fi
}

# ---- the counts are the deletions listed ------------------------------------------------------
# Every count (a policy's, a day's) comes from the replay's own counters, and only JSON and CSV
# keep the list of deletions: the list, grouped by kind and by day (a deletion before the first
# day counts in it, after the last in the last), must give the same numbers. On the sample and
# on a generated registry with referrers, retention and soft delete.
# listed_by_day JSON: "policy date tags purge retention cascade" per day with a deletion, from the list
listed_by_day() {
  jq -r '.policies[] | .name as $n | (.daily | map(.date)) as $d | .deletions[] |
    (.run_time[0:10]) as $t | [$n, (if $t < $d[0] then $d[0] elif $t > $d[-1] then $d[-1] else $t end), .kind] | @tsv' "$1" |
    awk -F'\t' '{ k = $1 " " $2; n[k, $3]++; seen[k] = 1 }
      END { for (k in seen) printf "%s %d %d %d %d\n", k, n[k, "tag"], n[k, "manifest"], n[k, "retention"], n[k, "cascade"] }' | sort
}
counted_by_day() {
  jq -r '.policies[] | .name as $n | .daily[] | select(.tags_deleted + .manifests_deleted_purge + .manifests_deleted_retention + .cascade_deleted > 0) |
    "\($n) \(.date) \(.tags_deleted) \(.manifests_deleted_purge) \(.manifests_deleted_retention) \(.cascade_deleted)"' "$1" | sort
}
listed_totals() {
  jq -r '.policies[] | "\(.name) \([.deletions[] | select(.kind == "tag")] | length) \([.deletions[] | select(.kind == "manifest")] | length) \([.deletions[] | select(.kind == "retention")] | length) \([.deletions[] | select(.kind == "cascade")] | length)"' "$1"
}
counted_totals() {
  jq -r '.policies[] | "\(.name) \(.tags_deleted) \(.manifests_deleted_purge) \(.manifests_deleted_retention) \(.cascade_deleted)"' "$1"
}
cat >"$tmp/soft.ini" <<'INI'
[nightly-soft]
az acr task create --name p --schedule "0 0 * * *" --cmd "acr purge --filter '.*:.*' --ago 1d --keep 2 --untagged" --context /dev/null
az acr config soft-delete update --registry r --days 3 --status enabled
[weekly-retention]
az acr task create --name p --schedule "0 3 * * 0" --cmd "acr purge --filter '.*:.*' --ago 7d" --context /dev/null
az acr config retention update --registry r --days 2 --type UntaggedManifests --status enabled
INI
if run "$tmp/gen.out" generate -q --scale small --seed 7 -o "$tmp/gen.json" &&
   run "$tmp/gen-s.json" simulate -q -i "$tmp/gen.json" -p "$tmp/soft.ini" -p "$POLICIES" --format json; then
  for doc in s gen-s; do
    check "deletions/$doc-listed-by-kind" "$(counted_totals "$tmp/$doc.json")" "$(listed_totals "$tmp/$doc.json")"
    check "deletions/$doc-listed-by-day" "$(counted_by_day "$tmp/$doc.json")" "$(listed_by_day "$tmp/$doc.json")"
  done
  check "deletions/gen-has-every-kind" "tag manifest retention cascade" "$(jq -r '[.policies[].deletions[].kind] | unique as $u |
    ["tag", "manifest", "retention", "cascade"] | map(select(. as $k | $u | index($k))) | join(" ")' "$tmp/gen-s.json")"
fi

# ---- report --month: text == JSON == CSV == HTML, per policy ------------------------------------
# A row is "name avg end storage fee total tags purge retention cascade" for the month.
MONTH=2026-10
# What report's Markdown headline must say, from the JSON's month figures: the policies whose
# saving (the baseline's storage_cost_month minus theirs) prints as the largest does, sorted; that
# saving; their storage overage ("lo" or "lo to hi"); the baseline's. "none BASE" when the largest
# saving prints as 0.00.
month_headline_json() {
  jq -r '.policies[] | [.name, .storage_cost_month] | @tsv' "$1" | awk -F'\t' '
    NR == 1 { base = $2; next }
    { n[NR] = $1; st[NR] = $2; if (NR == 2 || base - $2 > max) max = base - $2 }
    END {
      m = sprintf("%.2f", max)
      if (NR < 2 || max < 0.005) { printf "none %.2f\n", base; exit }
      for (i = 2; i <= NR; i++) {
        if (sprintf("%.2f", base - st[i]) != m) continue
        print n[i] > "/dev/stderr"
        if (!lo_set || st[i] < lo) lo = st[i]
        if (!lo_set || st[i] > hi) hi = st[i]
        lo_set = 1
      }
      r = sprintf("%.2f", lo); if (sprintf("%.2f", hi) != r) r = r " to " sprintf("%.2f", hi)
      printf "%s | %s | %.2f\n", m, r, base
    }' 2>"$tmp/hj.names" >"$tmp/hj.fig"
  if grep -q '^none' "$tmp/hj.fig"; then cat "$tmp/hj.fig"; return; fi
  echo "$(sort "$tmp/hj.names" | tr '\n' ' ')| $(cat "$tmp/hj.fig")"
}
# The same read from the Markdown's headline (MD MONTH).
month_headline_md() {
  local line rest
  line=$(grep -m1 -e "^In $2, .* saves\{0,1\} the most" -e '^No policy saves money' "$1")
  case $line in
    "No policy"*) echo "none $(sed -E 's/.*the storage overage is \*\*([0-9.]+) [A-Z]+\*\*.*/\1/' <<<"$line")"; return ;;
  esac
  rest=${line#* the most}
  echo "$(printf '%s\n' "${line%% save*}" | grep -o '\*\*[^*]*\*\*' | tr -d '*' | sort | tr '\n' ' ')| $(
    sed -E 's/^[:,] \*\*([0-9.]+) [A-Z]+\*\*.*a storage overage of \*\*([0-9.]+( to [0-9.]+)?) [A-Z]+\*\* instead of ([0-9.]+),.*/\1 | \2 | \4/' <<<"$rest")"
}
run "$tmp/r.json" report -q -i "$EXPORT" -p "$POLICIES" --month $MONTH --format json &&
run "$tmp/r.txt" report -q -i "$EXPORT" -p "$POLICIES" --month $MONTH &&
run "$tmp/r.out" report -q -i "$EXPORT" -p "$POLICIES" --month $MONTH --format csv --html -o "$tmp/rep" && {
  jq -r '.policies[] | [.name, .avg_units, .end_units, .storage_cost_month, .sku_fee_month, .total_cost_month,
         .tags_deleted, .manifests_deleted_purge, .manifests_deleted_retention, .cascade_deleted] | @tsv' "$tmp/r.json" |
    while IFS=$'\t' read -r n a e st f tot t m r c; do
      echo "$n $(two "$a") $(two "$e") $(two "$st") $(two "$f") $(two "$tot") $t $m $r $c"
    done >"$tmp/m.json"
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { printf "%s %.2f %.2f %.2f %.2f %.2f %s %s %s %s\n", $col["policy"], $col["avg_units"], $col["end_units"],
      $col["storage_cost_month"], $col["sku_fee_month"], $col["total_cost_month"], $col["tags_deleted"],
      $col["manifests_deleted_purge"], $col["manifests_deleted_retention"], $col["cascade_deleted"] }' \
    "$tmp/rep/month-summary.csv" >"$tmp/m.csv"
  awk '/^policy / { on = 1; skip = 1; next } on && skip { skip = 0; next } on && NF == 0 { exit } on { print }' "$tmp/r.txt" |
    awk '{ print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' >"$tmp/m.txt"
  sed -n '/<table id="summary">/,/<\/table>/p' "$tmp/rep/report-$MONTH.html" | grep '^<tr><td>' |
    sed -e 's/<[^>]*>/ /g' | awk '{ print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' >"$tmp/m.html"
  check "report/policies" "4" "$(wc -l <"$tmp/m.json" | tr -d ' ')"
  check "report/csv-equals-json" "$(cat "$tmp/m.json")" "$(cat "$tmp/m.csv")"
  check "report/text-equals-json" "$(cat "$tmp/m.json")" "$(cat "$tmp/m.txt")"
  check "report/html-equals-json" "$(cat "$tmp/m.json")" "$(cat "$tmp/m.html")"
  if run "$tmp/r.md" report -q -i "$EXPORT" -p "$POLICIES" --month $MONTH --format markdown; then
    awk -F' [|] ' '/^[|] policy [|] avg / { on = 1; skip = 1; next } on && skip { skip = 0; next }
      on && !/^[|]/ { exit } on { sub(/^[|] /, "", $1); sub(/ [|]$/, "", $NF); print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' \
      "$tmp/r.md" >"$tmp/m.md"
    check "report/markdown-equals-json" "$(cat "$tmp/m.json")" "$(cat "$tmp/m.md")"
  fi
  # the Markdown headline is on the month's figures, the table's: 2026-10 saves (three policies
  # tie), 2026-09 does not
  for month in $MONTH 2026-09; do
    run "$tmp/h.json" report -q -i "$EXPORT" -p "$POLICIES" --month $month --format json &&
      run "$tmp/h.md" report -q -i "$EXPORT" -p "$POLICIES" --month $month --format markdown || continue
    check "report/markdown-headline-$month-equals-json" "$(month_headline_json "$tmp/h.json")" \
      "$(month_headline_md "$tmp/h.md" $month)"
  done
  # the money chart's note states the SKU fee the tables charge for the month
  check "report/chart-fee-equals-json" "$(jq -r '.policies[0].sku_fee_month' "$tmp/r.json" | xargs printf '%.2f')" \
    "$(sed -n 's/.*SKU fee, \([0-9.]*\) [A-Z]* over the [0-9]* days\{0,1\} of '"$MONTH"'.*/\1/p' "$tmp/rep/monthly-cost.svg")"
}

# ---- risk: broken pulls and in-use images deleted, per policy -----------------------------------
# simulate's table, summary.csv, JSON and Markdown over the window: a row is "name broken in-use";
# JSON and Markdown also agree on the references and the first broken pull. report --month --html
# counts the broken pulls whose pull time lies in the month and the in-use images deleted by its
# end: the JSON's pulls and deletions filtered to the month.
RISK=(--events data/sample/devreg-events.json --in-use data/sample/in-use.txt)
run "$tmp/k.json" simulate -q -i "$EXPORT" -p "$POLICIES" "${RISK[@]}" --format json &&
run "$tmp/k.txt" simulate -q -i "$EXPORT" -p "$POLICIES" "${RISK[@]}" &&
run "$tmp/k.out" simulate -q -i "$EXPORT" -p "$POLICIES" "${RISK[@]}" --format csv -o "$tmp/kcsv" &&
run "$tmp/k.md" simulate -q -i "$EXPORT" -p "$POLICIES" "${RISK[@]}" --format markdown && {
  jq -r '.policies[] | "\(.name) \(.broken_pulls.count) \(.in_use_deleted | length)"' "$tmp/k.json" >"$tmp/k.rows.json"
  jq -r '.policies[] | "\(.name) \(.broken_pulls.count) \(.broken_pulls.references) \(.broken_pulls.first // "-")"' \
    "$tmp/k.json" >"$tmp/k.refs.json"
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { print $col["policy"], $col["broken_pulls"], $col["in_use_deleted"] }' "$tmp/kcsv/summary.csv" >"$tmp/k.rows.csv"
  # the table: the last two columns are "broken pulls" and "in-use deleted"
  awk '/^policy / { on = 1; skip = 1; next } on && skip { skip = 0; next } on && NF == 0 { exit }
    on { print $1, $(NF - 1), $NF }' "$tmp/k.txt" >"$tmp/k.rows.table"
  # the Markdown risk table: "| policy | broken pulls | references | first broken pull | in-use images deleted |"
  awk -F' [|] ' '/^[|] policy [|] broken pulls [|]/ { on = 1; skip = 1; next } on && skip { skip = 0; next }
    on && !/^[|]/ { exit } on { sub(/^[|] /, "", $1); sub(/ [|]$/, "", $NF); print $1, $2, $5 > rows; print $1, $2, $3, $4 > refs }' \
    rows="$tmp/k.rows.md" refs="$tmp/k.refs.md" "$tmp/k.md"
  check "risk/policies" "4" "$(wc -l <"$tmp/k.rows.json" | tr -d ' ')"
  check "risk/some-broken" "yes" "$(awk '$2 > 0 { b = 1 } $3 > 0 { u = 1 } END { print (b && u) ? "yes" : "no" }' "$tmp/k.rows.json")"
  check "risk/csv-equals-json" "$(cat "$tmp/k.rows.json")" "$(cat "$tmp/k.rows.csv")"
  check "risk/table-equals-json" "$(cat "$tmp/k.rows.json")" "$(cat "$tmp/k.rows.table")"
  check "risk/markdown-equals-json" "$(cat "$tmp/k.rows.json")" "$(cat "$tmp/k.rows.md" 2>/dev/null)"
  check "risk/markdown-references-equal-json" "$(cat "$tmp/k.refs.json")" "$(cat "$tmp/k.refs.md" 2>/dev/null)"
  # 2026-09: the sample's pulls are all in October, but weekly-30d deletes an in-use image in September
  for month in 2026-09 $MONTH; do
    run "$tmp/kr.out" report -q -i "$EXPORT" -p "$POLICIES" "${RISK[@]}" --month $month --html -o "$tmp/krep" || continue
    next_month=$(date -u -d "$month-01 +1 month" +%Y-%m)
    jq -r --arg m "$month" --arg n "$next_month" '.policies[] | "\(.name) \([.broken_pulls.pulls[] | select(.pull_time >= $m and .pull_time < $n)] | length) \([.in_use_deleted[] | select(.deleted_at < $n)] | length)"' \
      "$tmp/k.json" >"$tmp/k.month.json"
    html=$tmp/krep/report-$month.html
    sed -n '/<table id="risk-summary">/,/<\/table>/p' "$html" | grep '^<tr><td>' | sed -e 's/<[^>]*>/ /g' |
      awk '{ print $1, $2, $NF }' >"$tmp/k.month.html"
    sed -n '/<table id="summary">/,/<\/table>/p' "$html" | grep '^<tr><td>' | sed -e 's/<[^>]*>/ /g' |
      awk '{ print $1, $(NF - 1), $NF }' >"$tmp/k.month.summary"
    check "risk/html-$month-equals-json" "$(cat "$tmp/k.month.json")" "$(cat "$tmp/k.month.html")"
    check "risk/html-$month-summary-equals-risk-table" "$(cat "$tmp/k.month.html")" "$(cat "$tmp/k.month.summary")"
  done
}

# ---- the warnings about the risk inputs: dry-run and simulate say the same ----------------------
# the event log's skipped rows and the in-use references skipped or not in the export (one
# reference here names a repository the export does not have)
printf '%s\n' devreg.azurecr.io/team-a/web:stable devreg.azurecr.io/no-such/repo:1 docker.io/library/nginx:1 \
  >"$tmp/inuse-mixed.txt"
RISKW=(--events data/sample/devreg-events.json --in-use "$tmp/inuse-mixed.txt")
if run "$tmp/w.dry.json" dry-run -q -i "$EXPORT" "${RISKW[@]}" --format json -- \
     acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged &&
   run "$tmp/w.sim.json" simulate -q -i "$EXPORT" -p "$POLICIES" "${RISKW[@]}" --format json; then
  pick='.warnings[] | select(startswith("event log: of ") or startswith("in-use: "))'
  check "risk-warnings/count" "3" "$(jq -r "$pick" "$tmp/w.dry.json" | wc -l | tr -d ' ')"
  check "risk-warnings/dry-run-equals-simulate" "$(jq -r "$pick" "$tmp/w.sim.json")" "$(jq -r "$pick" "$tmp/w.dry.json")"
fi

# ---- an input read from a pipe gives what the same file gives -----------------------------------
# (`<(...)`, `cat FILE | ... /dev/stdin`: the loaders look at the head, then read from the start)
PIPED=(-p data/policies/example.ini --events data/sample/devreg-events.json --in-use data/sample/in-use.txt
       --pricing data/pricing/acr-aud.json)
if run "$tmp/pipe.file.json" simulate -q -i "$EXPORT" "${PIPED[@]}" --format json; then
  for opt in -p --events --in-use --pricing; do
    args=() next=
    for a in "${PIPED[@]}"; do
      if [ "$next" = 1 ]; then args+=(/dev/stdin); src=$a; next=; continue; fi
      args+=("$a"); [ "$a" = "$opt" ] && next=1
    done
    if "$BIN" simulate -q -i "$EXPORT" "${args[@]}" --format json <"$src" >"$tmp/pipe.stdin.json" 2>"$tmp/err" &&
       cat "$src" | "$BIN" simulate -q -i "$EXPORT" "${args[@]}" --format json >"$tmp/pipe.json" 2>"$tmp/err"; then
      # the file's own name is in the pricing label and the warnings: compare the figures
      fig='[.policies[] | [.name, .tags_deleted, .manifests_deleted_purge, .end_units, .storage_per_month,
            .broken_pulls.count, (.in_use_deleted | length)]]'
      check "pipe/$opt" "$(jq -c "$fig" "$tmp/pipe.file.json")" "$(jq -c "$fig" "$tmp/pipe.json")"
    else
      check "pipe/$opt" "exit 0" "exit $?: $(head -1 "$tmp/err")"
    fi
  done
fi
cat >"$tmp/pipe.grid" <<'EOF'
keep = 1 3
ago = 0d 7d
mode = untagged
EOF
if run "$tmp/grid.file.csv" tune -q -i "$EXPORT" --grid "$tmp/pipe.grid" -f csv -o "$tmp/gf/" &&
   cat "$tmp/pipe.grid" | "$BIN" tune -q -i "$EXPORT" --grid /dev/stdin -f csv -o "$tmp/gp/" >/dev/null 2>"$tmp/err"; then
  check "pipe/--grid" "$(cat "$tmp/gf/candidates.csv")" "$(cat "$tmp/gp/candidates.csv")"
else
  check "pipe/--grid" "exit 0" "exit $?: $(head -1 "$tmp/err")"
fi

echo "planned $planned"
[ "$failed" -eq 0 ]
