#!/usr/bin/env bash
# Opens the monthly HTML report (with --events and --in-use) in headless Chromium (installed by
# make deps), offline: checks the page's title, tables, risk section and charts in the DOM it
# rendered, and that its screenshot is not blank. Prints "planned N", then "ok NAME" / "FAIL NAME"
# lines for tests/run-all.sh; exits 1 when a check failed.
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
PLANNED=11
echo "planned $PLANNED"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
res() {   # res NAME STATUS [WHY]
  if [ "$2" = 0 ]; then echo "ok browser/$1"
  else echo "FAIL browser/$1"; [ -n "${3:-}" ] && printf '%s\n' "$3" | head -10 | sed 's/^/  /'; fails=$((fails + 1)); fi
}

chrome=$(command -v chromium || command -v chromium-browser || true)
res chromium-installed "$([ -n "$chrome" ]; echo $?)" "make deps installs the chromium package"
[ -n "$chrome" ] || exit 1
"$BIN" report -i data/sample/devreg.json -p data/policies/example.ini --month 2026-10 --html -o "$tmp" -q \
  --events data/sample/devreg-events.json --in-use data/sample/in-use.txt \
  >/dev/null 2>"$tmp/report.err"
rc=$?
res report-written "$([ "$rc" = 0 ] && [ -s "$tmp/report-2026-10.html" ]; echo $?)" "exit $rc: $(cat "$tmp/report.err")"
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --disable-quic --user-data-dir="$tmp/profile")
url="file://$tmp/report-2026-10.html"
timeout 120 "$chrome" "${flags[@]}" --dump-dom "$url" >"$tmp/dom.html" 2>"$tmp/chrome.log"
rc=$?
res dump-dom "$([ "$rc" = 0 ] && [ -s "$tmp/dom.html" ]; echo $?)" "exit $rc: $(tail -5 "$tmp/chrome.log")"
dom=$tmp/dom.html
res title "$(grep -q '<title>purgesim monthly report 2026-10: devreg.azurecr.io</title>' "$dom"; echo $?)"
res summary-table "$(grep -q '<table id="summary">' "$dom"; echo $?)"
# one row per policy and the baseline
rows=$(sed -n '/<table id="summary">/,/<\/table>/p' "$dom" | grep -c '<tr><td>')
res summary-rows "$([ "$rows" = 4 ]; echo $?)"
# the risk section (--events, --in-use): its table, one row per policy, and a policy's references
risk_rows=$(sed -n '/<table id="risk-summary">/,/<\/table>/p' "$dom" | grep -c '<tr><td>')
res risk-section "$([ "$risk_rows" = 4 ] && grep -q '<table class="risk-refs">' "$dom"; echo $?)" "risk rows: $risk_rows"
res repositories-table "$(grep -q '<table id="repositories">' "$dom"; echo $?)"
res charts-inline "$([ "$(grep -o '<svg' "$dom" | wc -l)" -ge 3 ]; echo $?)"
timeout 120 "$chrome" "${flags[@]}" --window-size=1200,2400 --screenshot="$tmp/shot.png" "$url" >"$tmp/chrome.log" 2>&1
rc=$?
res screenshot "$([ "$rc" = 0 ] && [ -s "$tmp/shot.png" ]; echo $?)" "exit $rc: $(tail -5 "$tmp/chrome.log")"
ink=$(python3 tests/tools/png_ink.py "$tmp/shot.png" 2>"$tmp/ink.err") || ink=0
res screenshot-not-blank "$(awk "BEGIN { exit !($ink > 0.01) }"; echo $?)" "ink $ink $(cat "$tmp/ink.err")"
[ -n "${KEEP_SCREENSHOT:-}" ] && cp "$tmp/shot.png" "$KEEP_SCREENSHOT"
[ "$fails" -eq 0 ]
