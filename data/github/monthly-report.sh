#!/usr/bin/env bash
# The monthly cost report of the GitHub Actions workflow data/github/purgesim-monthly.yml.
#
# usage: monthly-report.sh (-r REGISTRY [--bodies] | -i BUNDLE) [-p POLICIES]... [-m YYYY-MM]
#                          [-o OUTDIR] [--print-month] [-- PURGESIM-OPTIONS...]
#
# Exports the registry with data/export-acr.sh (az logged in; the export carries the registry's
# own purge setup, which purgesim replays as the policy "current"), or takes a bundle with -i,
# then runs `purgesim report --month M` for the month on current and the candidate policies of
# the -p files:
#   --format markdown  appended to $GITHUB_STEP_SUMMARY (standard output when unset) and kept
#                      as OUTDIR/report-M.md;
#   --html -o OUTDIR/  OUTDIR/report-M.html and its charts, the artifact to upload.
# The bundle is written to a temporary directory, not OUTDIR, so the artifact holds reports only.
#
#   -r, --registry NAME   the registry to export (az acr name)
#       --bodies          export manifest bodies too (exact, deduplicated storage; slower)
#   -i, --input BUNDLE    an existing export instead
#   -p, --policies FILE   a policy file of candidate policies (repeatable)
#   -m, --month YYYY-MM   the month (default: the previous calendar month, UTC)
#   -o, --output OUTDIR   the artifact directory (default purgesim-report; not -, several files)
#       --print-month     print the month that would be reported and exit
#   -- OPTIONS            passed to purgesim report (e.g. --sku premium --replicas 2)
#
# Environment: PURGESIM (the purgesim to run, default purgesim on PATH), EXPORT_ACR (the
# exporter, default data/export-acr.sh of this tree), GITHUB_STEP_SUMMARY, GITHUB_OUTPUT (gets
# month=, dir= and html=), PURGESIM_TODAY (YYYY-MM-DD: "today" for the default month, for tests).
# Exit status: 0 done, 1 the export or purgesim failed, 2 bad usage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PURGESIM=${PURGESIM:-purgesim}
EXPORT_ACR=${EXPORT_ACR:-$here/../export-acr.sh}

usage() { sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2; echo "Try '$0 --help'." >&2; exit 2; }
die() { echo "monthly-report: $1" >&2; exit "${2:-1}"; }   # die MESSAGE [STATUS]

registry="" bundle="" month="" outdir=purgesim-report print_month=0
bodies=() policies=() extra=()
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -r|--registry) [ $# -ge 2 ] || usage; registry=$2; shift 2 ;;
    --bodies) bodies=(--bodies); shift ;;
    -i|--input) [ $# -ge 2 ] || usage; bundle=$2; shift 2 ;;
    -p|--policies) [ $# -ge 2 ] || usage; policies+=("$2"); shift 2 ;;
    -m|--month) [ $# -ge 2 ] || usage; month=$2; shift 2 ;;
    -o|--output) [ $# -ge 2 ] || usage; outdir=$2; shift 2 ;;
    --print-month) print_month=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "monthly-report: unknown argument: $1" >&2; usage ;;
  esac
done

if [ -z "$month" ]; then
  today=${PURGESIM_TODAY:-$(date -u +%Y-%m-%d)}
  # the day before the first of this month
  month=$(date -u -d "${today:0:7}-01 -1 day" +%Y-%m) || die "cannot compute the previous month of $today" 2
fi
[[ $month =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ ]] || die "--month: expected YYYY-MM, got \"$month\"" 2
if [ "$print_month" = 1 ]; then echo "$month"; exit 0; fi

if [ -n "$registry" ] && [ -n "$bundle" ]; then die "give -r REGISTRY or -i BUNDLE, not both" 2; fi
if [ -z "$registry" ] && [ -z "$bundle" ]; then die "no registry: give -r REGISTRY (or -i BUNDLE)" 2; fi
# "-" is standard output to purgesim and its scripts; the artifact is several files
if [ "$outdir" = - ]; then die "-o -: the artifact is several files (the page, its charts, the Markdown), and standard output takes one: give -o OUTDIR" 2; fi
pargs=()
for p in "${policies[@]}"; do
  [ -f "$p" ] || die "policy file not found: $p" 2
  pargs+=(-p "$p")
done
command -v "$PURGESIM" >/dev/null || die "purgesim not found (data/github/build-purgesim.sh builds it; or set PURGESIM)"

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/monthly-report.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -n "$registry" ]; then
  echo "monthly-report: exporting $registry" >&2
  bash "$EXPORT_ACR" -r "$registry" -o "$work/${registry%%.*}.json" -q "${bodies[@]}" ||
    die "the export of $registry failed"
  bundle=$work/${registry%%.*}.json
fi

# both outputs are made before anything is published, so a failure leaves no half report
"$PURGESIM" report -q -i "$bundle" "${pargs[@]}" --month "$month" --format markdown "${extra[@]}" \
  >"$work/report.md" || die "purgesim report --format markdown failed"
mkdir -p "$work/html"
"$PURGESIM" report -q -i "$bundle" "${pargs[@]}" --month "$month" --html -o "$work/html/" "${extra[@]}" ||
  die "purgesim report --html failed"
mkdir -p "$outdir"
cp "$work/report.md" "$outdir/report-$month.md"
cp -R "$work/html/." "$outdir/"

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    cat "$work/report.md"
    printf '\nThe HTML report with its charts is in this run'"'"'s artifact (report-%s.html).\n' "$month"
  } >>"$GITHUB_STEP_SUMMARY"
else
  cat "$work/report.md"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  printf 'month=%s\ndir=%s\nhtml=%s\n' "$month" "$outdir" "$outdir/report-$month.html" >>"$GITHUB_OUTPUT"
fi
echo "monthly-report: $outdir/report-$month.html" >&2
