#!/usr/bin/env bash
# Tests data/pricing/refresh-prices.py offline, on the recorded Retail Prices API response in
# tests/pricing/ (two pages joined by NextPageLink; see tests/pricing/README.md): the table it
# writes (fees, the GB-month to GB-day conversion, date, source), that purgesim loads it and
# prints its price, that purgesim picks it as the newest dated table and an older one with
# --pricing-date, and the errors (a missing meter named, a page missing, bad usage, no file).
# Prints "planned N", then "ok NAME" / "FAIL NAME" per check (details indented); exits 1 when
# one failed. Needs python3 (make deps). Env: BIN - purgesim binary (default ./purgesim).
# shellcheck disable=SC2012  # ls -A on directories of known, plain file names
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
ROOT=$PWD
PLANNED=16
echo "planned $PLANNED"
BIN=${BIN:-$ROOT/purgesim}
case "$BIN" in /*) ;; *) BIN=$ROOT/$BIN ;; esac
REFRESH=$ROOT/data/pricing/refresh-prices.py
P1=$ROOT/tests/pricing/retail-prices-aud.json
P2=$ROOT/tests/pricing/retail-prices-aud-page2.json
SAMPLE=$ROOT/data/sample/devreg.json
T=$(mktemp -d "${TMPDIR:-/tmp}/test-pricing-refresh.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
unset PURGESIM_PRICING
fails=0
ok() { echo "ok pricing-refresh/$1"; }
fail() {
  echo "FAIL pricing-refresh/$1"
  fails=$((fails + 1))
  shift
  local l
  for l in "$@"; do printf '    %s\n' "$l"; done
  [ -s "$T/stderr" ] && sed 's/^/    stderr: /' "$T/stderr" | head -10
  return 0
}
# run CMD...: sets rc; stdout and stderr in $T/stdout, $T/stderr
run() { rc=0; "$@" >"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?; }
# jget FILE EXPR: a Python expression over the JSON document d
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
# edited OUT PYTHON: page 1 and 2 joined into one page (NextPageLink null), Items edited by PYTHON
# (a statement over the list `items`), written to OUT
edited() {
  python3 - "$P1" "$P2" "$1" "$2" <<'EOF'
import json, sys
p1, p2, out, code = sys.argv[1:5]
a, b = json.load(open(p1)), json.load(open(p2))
items = a["Items"] + b["Items"]
exec(code)
a["Items"], a["NextPageLink"] = items, None
json.dump(a, open(out, "w"), indent=2)
EOF
}

# --- help and usage ------------------------------------------------------------------------------
run python3 "$REFRESH" --help
if [ "$rc" = 0 ] && grep -q -- '--from-file' "$T/stdout" && grep -q '30.4375' "$T/stdout"; then ok help
else fail help "rc=$rc"; fi
run python3 "$REFRESH" --currency dollars --from-file "$P1" -o "$T/bad.json"
if [ "$rc" = 2 ] && grep -q -- '--currency' "$T/stderr" && [ ! -e "$T/bad.json" ]; then ok bad-currency-is-usage
else fail bad-currency-is-usage "rc=$rc"; fi

# --- the two recorded pages ----------------------------------------------------------------------
OUT=$T/acr-aud-2026-07-17.json
run python3 "$REFRESH" -q --from-file "$P1" --from-file "$P2" -o "$OUT"
if [ "$rc" = 0 ] && [ -s "$OUT" ]; then ok writes-table; else fail writes-table "rc=$rc"; fi
# the fees per day, straight from the 1/Day meters; included storage from the documentation
got=$(jget "$OUT" '" ".join("%s=%s/%s" % (k, v["fee_per_day"], v["included_gb"]) for k, v in sorted(d["skus"].items()))')
want="Basic=0.2414/10 Premium=2.4099/500 Standard=0.9643/100"
if [ "$got" = "$want" ]; then ok sku-fees-and-included; else fail sku-fees-and-included "got: $got" "want: $want"; fi
# Data Stored is 0.1449 per 1 GB/Month: per day is / 30.4375, and the table says so
got=$(jget "$OUT" 'abs(d["overage_per_gb_day"] - 0.1449 / 30.4375) < 1e-9 and "30.4375" in d["overage_source"] and "1 GB/Month" in d["overage_source"]')
if [ "$got" = True ]; then ok gb-month-converted-per-day; else fail gb-month-converted-per-day "$(jget "$OUT" 'd["overage_per_gb_day"], d["overage_source"]')"; fi
# date: the newest effectiveStartDate used (Data Stored's 2026-07-17; the others are 2026-07-01)
got=$(jget "$OUT" 'd["date"], d["currency"], d["unit"], "exchange_rate" in d')
if [ "$got" = "('2026-07-17', 'AUD', 'GiB', False)" ]; then ok date-currency-unit; else fail date-currency-unit "got: $got"; fi
got=$(jget "$OUT" 'd["source"].startswith("https://prices.azure.com/api/retail/prices?") and "australiaeast" in d["source"] and "Container%20Registry" in d["source"]')
if [ "$got" = True ]; then ok source-is-query-url; else fail source-is-query-url "$(jget "$OUT" 'd["source"]')"; fi

# --- purgesim reads it ---------------------------------------------------------------------------
if [ ! -x "$BIN" ]; then
  fail purgesim-loads-table "no executable $BIN (build it, or set BIN)"
  fail newest-dated-table-by-default "no executable $BIN"
  fail pricing-date-picks-older-table "no executable $BIN"
else
  run "$BIN" dry-run -i "$SAMPLE" --pricing "$OUT" -- acr purge --filter '.*:.*' --ago 0d
  if [ "$rc" = 0 ] && grep -q 'at 0.00476 AUD per GiB per day (prices 2026-07-17)' "$T/stdout"; then ok purgesim-loads-table
  else fail purgesim-loads-table "rc=$rc" "$(grep 'per day' "$T/stdout" | tail -2)"; fi
  # beside the shipped table (2024-12-01): the newest by default, the older one on an earlier date
  mkdir -p "$T/tables"
  cp "$ROOT/data/pricing/acr-aud.json" "$OUT" "$T/tables/"
  run env PURGESIM_PRICING="$T/tables" "$BIN" dry-run -i "$SAMPLE" --format json -- acr purge --filter '.*:.*' --ago 0d
  got=$(jget "$T/stdout" 'd["cost"]["pricing_date"], d["cost"]["overage_per_unit_day"]')
  if [ "$rc" = 0 ] && [ "$got" = "('2026-07-17', 0.004761)" ]; then ok newest-dated-table-by-default
  else fail newest-dated-table-by-default "rc=$rc, got: $got"; fi
  run env PURGESIM_PRICING="$T/tables" "$BIN" dry-run -i "$SAMPLE" --pricing-date 2026-07-16 --format json -- \
    acr purge --filter '.*:.*' --ago 0d
  got=$(jget "$T/stdout" 'd["cost"]["pricing_date"], d["cost"]["overage_per_unit_day"]')
  if [ "$rc" = 0 ] && [ "$got" = "('2024-12-01', 0.00516)" ]; then ok pricing-date-picks-older-table
  else fail pricing-date-picks-older-table "rc=$rc, got: $got"; fi
fi

# --- other units and the default output name -----------------------------------------------------
edited "$T/perday.json" 'for i in items:
    if i["meterName"] == "Data Stored": i["unitOfMeasure"], i["retailPrice"] = "1 GB/Day", 0.0048'
run python3 "$REFRESH" -q --from-file "$T/perday.json" -o "$T/perday-table.json"
got=$(jget "$T/perday-table.json" 'd["overage_per_gb_day"] == 0.0048 and "as it is" in d["overage_source"]')
if [ "$rc" = 0 ] && [ "$got" = True ]; then ok gb-day-used-as-is; else fail gb-day-used-as-is "rc=$rc, got: $got"; fi
# without -o: acr-aud-DATE.json beside the script (a copy in the temporary directory)
mkdir -p "$T/script"
cp "$REFRESH" "$T/script/"
run python3 "$T/script/refresh-prices.py" -q --from-file "$P1" --from-file "$P2"
if [ "$rc" = 0 ] && [ -f "$T/script/acr-aud-2026-07-17.json" ] && [ "$(ls -A "$T/script" | wc -l)" = 2 ]; then
  ok default-output-name
else fail default-output-name "rc=$rc, files: $(ls -A "$T/script" | tr '\n' ' ')"; fi

# --- errors: nothing written ---------------------------------------------------------------------
edited "$T/nopremium.json" 'items[:] = [i for i in items if i["meterName"] != "Premium Registry Unit"]'
run python3 "$REFRESH" -q --from-file "$T/nopremium.json" -o "$T/nopremium-table.json"
if [ "$rc" = 1 ] && grep -q "'Premium Registry Unit' is not in the response" "$T/stderr" &&
   [ ! -e "$T/nopremium-table.json" ]; then ok missing-meter-named
else fail missing-meter-named "rc=$rc"; fi
run python3 "$REFRESH" -q --from-file "$P1" -o "$T/partial.json"
if [ "$rc" = 1 ] && grep -q 'NextPageLink' "$T/stderr" && [ ! -e "$T/partial.json" ]; then ok missing-page-is-error
else fail missing-page-is-error "rc=$rc"; fi
edited "$T/twoprices.json" 'import copy
x = copy.deepcopy([i for i in items if i["meterName"] == "Data Stored"][0])
x["skuName"], x["retailPrice"] = "Premium", 0.2
items.append(x)'
run python3 "$REFRESH" -q --from-file "$T/twoprices.json" -o "$T/twoprices-table.json"
if [ "$rc" = 1 ] && grep -q "'Data Stored' has 2 prices" "$T/stderr" && [ ! -e "$T/twoprices-table.json" ]; then
  ok ambiguous-meter-is-error
else fail ambiguous-meter-is-error "rc=$rc"; fi
run python3 "$REFRESH" -q --from-file "$T/no-such-page.json" -o "$T/none.json"
if [ "$rc" = 3 ] && grep -q 'no-such-page.json' "$T/stderr" && [ ! -e "$T/none.json" ]; then ok unreadable-file-is-io-error
else fail unreadable-file-is-io-error "rc=$rc"; fi

[ "$fails" -eq 0 ]
