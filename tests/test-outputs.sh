#!/usr/bin/env bash
# Output files as a user meets them: -o creates missing directories, means a directory for csv
# and --html and wherever it names one, never overwrites an input, and a run that fails (before
# or while writing) leaves nothing behind. -o through a symbolic link writes its target and keeps
# the link; a FIFO or a device is written in place, never replaced by a regular file. A dangling
# link named as a new directory creates the directory it points at. -o - is standard output
# wherever the output is one document, and a usage error where it would be several files.
# Prints "ok NAME" / "FAIL NAME"; exits non-zero on a failure.
set -u
cd "$(dirname "$0")/.."
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
EXPORT=data/sample/devreg.json
POLICIES=data/policies/example.ini
# the device cases use nodes of their own in $tmp, never /dev: a broken build replaces only them
mkdir -p "$tmp/nodes"
if mknod "$tmp/nodes/null" c 1 3 2>/dev/null && mknod "$tmp/nodes/full" c 1 7 2>/dev/null; then
  planned=29
else
  planned=27
  echo "skip outputs/null-device outputs/full-device: mknod needs root (CAP_MKNOD)"
fi
echo "planned $planned"
failed=0
result() {   # result NAME CONDITION-EXIT-CODE [detail]
  if [ "$2" -eq 0 ]; then echo "ok outputs/$1"; else echo "FAIL outputs/$1${3:+: $3}"; failed=$((failed + 1)); fi
}
files() { (cd "$1" 2>/dev/null && ls -A | tr '\n' ' '); }

# 1. csv into a directory whose parents do not exist
"$BIN" simulate -q -i $EXPORT -p $POLICIES --format=csv -o "$tmp/a/b/csv" >/dev/null 2>&1
[ "$(files "$tmp/a/b/csv")" = "daily.csv deletions.csv monthly-cost.png monthly-cost.svg repositories.csv stored.png stored.svg summary.csv top-repositories.png top-repositories.svg " ]
result csv-into-missing-dirs $? "$(files "$tmp/a/b/csv")"

# 2. json to a path ending in / is a directory: the document and its charts
"$BIN" simulate -q -i $EXPORT -p $POLICIES -fjson -o "$tmp/j/" >/dev/null 2>&1
[ -s "$tmp/j/simulate.json" ] && [ -s "$tmp/j/stored.svg" ] && jq -e .policies "$tmp/j/simulate.json" >/dev/null
result json-into-dir-with-charts $? "$(files "$tmp/j")"

# 3. the same -o FILE in every command is a file
for c in dry-run simulate report forecast; do
  case $c in
    dry-run) args=(dry-run -q -i $EXPORT -o "$tmp/f/$c.out" -- acr purge --filter '.*:.*' --ago 0d) ;;
    report) args=(report -q -i $EXPORT -p $POLICIES --month 2026-10 -o "$tmp/f/$c.out") ;;
    *) args=("$c" -q -i $EXPORT -p $POLICIES -o "$tmp/f/$c.out") ;;
  esac
  "$BIN" "${args[@]}" >/dev/null 2>&1 || echo "  $c exited non-zero"
done
[ "$(files "$tmp/f")" = "dry-run.out forecast.out report.out simulate.out " ] && [ -f "$tmp/f/simulate.out" ]
result file-in-every-command $? "$(files "$tmp/f")"

# 4-5. -o onto the input, two spellings: refused (exit 3), the export unchanged
sum=$(md5sum <$EXPORT)
"$BIN" simulate -q -i $EXPORT -p $POLICIES -o $EXPORT >/dev/null 2>&1
[ $? -eq 3 ] && [ "$(md5sum <$EXPORT)" = "$sum" ]
result onto-input-same-spelling $?
"$BIN" dry-run -q -i $EXPORT -o "$PWD/data/../data/sample/./devreg.json" -- acr purge --filter '.*:.*' --ago 0d >/dev/null 2>&1
[ $? -eq 3 ] && [ "$(md5sum <$EXPORT)" = "$sum" ]
result onto-input-other-spelling $?

# 6. a run that fails before writing creates no directory, not even the parents
printf '[p]\nacr purge --filter x --ago\n' >"$tmp/bad.ini"
"$BIN" simulate -q -i $EXPORT -p "$tmp/bad.ini" --format csv -o "$tmp/never/out" >/dev/null 2>&1
rc=$?
[ $rc -ne 0 ] && [ ! -e "$tmp/never" ]
result failed-run-leaves-nothing $? "exit $rc, $(files "$tmp")"

# 7-8. a run that fails while writing (a file size limit: writes fail with EFBIG) leaves nothing:
# neither the directory nor a temporary file
( trap '' XFSZ; ulimit -f 8; exec "$BIN" simulate -q -i $EXPORT -p $POLICIES --format csv -o "$tmp/half/out" ) >/dev/null 2>"$tmp/half.err"
rc=$?
[ $rc -eq 3 ] && [ ! -e "$tmp/half" ]
result failed-write-leaves-no-dir $? "exit $rc, left: $(find "$tmp/half" 2>/dev/null | tr '\n' ' ')"
mkdir -p "$tmp/keep" && echo mine >"$tmp/keep/notes.txt"
( trap '' XFSZ; ulimit -f 8; exec "$BIN" report -q -i $EXPORT -p $POLICIES --month 2026-10 --html -o "$tmp/keep" ) >/dev/null 2>&1
rc=$?
[ $rc -eq 3 ] && [ "$(files "$tmp/keep")" = "notes.txt " ]
result failed-write-into-existing-dir $? "exit $rc, left: $(files "$tmp/keep")"

# 9. --html into a new directory: the page, the text report and the charts, all at once
"$BIN" report -q -i $EXPORT -p $POLICIES --month 2026-10 --html -o "$tmp/h" >/dev/null 2>&1
[ -s "$tmp/h/report-2026-10.html" ] && [ -s "$tmp/h/report.txt" ] && [ -s "$tmp/h/monthly-cost.png" ]
result html-dir $? "$(files "$tmp/h")"

# 10. csv without -o is a usage error that names the fix
out=$("$BIN" simulate -q -i $EXPORT -p $POLICIES --format csv 2>&1)
[ $? -eq 2 ] && [ "$out" = "purgesim simulate: --format csv writes several files: give -o DIR
Try 'purgesim simulate --help'." ]
result csv-needs-dir $? "$out"

# dry_run OUT: a small text report to OUT; the same bytes wherever it goes
dry_run() { "$BIN" dry-run -q -i $EXPORT -o "$1" -- acr purge --filter '.*:.*' --ago 0d; }
dry_run "$tmp/plain.txt" >/dev/null 2>&1

# 11. through a symbolic link (relative, two hops): the links stay, the target gets the report
# and no temporary file is left beside either
mkdir -p "$tmp/ln/real" && echo old >"$tmp/ln/real/report.txt"
ln -s real/report.txt "$tmp/ln/first" && ln -s first "$tmp/ln/link.txt"
dry_run "$tmp/ln/link.txt" >/dev/null 2>"$tmp/ln.err"
rc=$?
[ $rc -eq 0 ] && [ -L "$tmp/ln/link.txt" ] && [ "$(readlink "$tmp/ln/link.txt")" = first ] && [ -L "$tmp/ln/first" ] &&
  [ -s "$tmp/plain.txt" ] && cmp -s "$tmp/plain.txt" "$tmp/ln/real/report.txt" &&
  [ "$(files "$tmp/ln")" = "first link.txt real " ] && [ "$(files "$tmp/ln/real")" = "report.txt " ]
result symlink-kept-target-written $? "exit $rc, $(ls -l "$tmp/ln" "$tmp/ln/real" | tr '\n' ' ') $(cat "$tmp/ln.err")"

# 12. a FIFO: the reader gets the report, and it is still a FIFO
mkfifo "$tmp/fifo"
timeout 30 cat "$tmp/fifo" >"$tmp/fifo.out" &
reader=$!
timeout 30 "$BIN" dry-run -q -i $EXPORT -o "$tmp/fifo" -- acr purge --filter '.*:.*' --ago 0d >/dev/null 2>"$tmp/fifo.err"
rc=$?
wait $reader   # a writer that never opened the FIFO leaves the reader to its timeout
[ $rc -eq 0 ] && [ -p "$tmp/fifo" ] && [ -s "$tmp/plain.txt" ] && cmp -s "$tmp/plain.txt" "$tmp/fifo.out"
result fifo-written-in-place $? "exit $rc, $(ls -l "$tmp/fifo") got $(wc -c <"$tmp/fifo.out") bytes $(cat "$tmp/fifo.err")"

if [ "$planned" -eq 29 ]; then
  # 13. a null device, named and through a link: exit 0, nothing said, both still what they were
  ln -s null "$tmp/nodes/null-link"
  "$BIN" simulate -q -i $EXPORT -p $POLICIES -fjson -o "$tmp/nodes/null" >/dev/null 2>"$tmp/null.err"
  rc1=$?
  dry_run "$tmp/nodes/null-link" >/dev/null 2>>"$tmp/null.err"
  rc2=$?
  [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ ! -s "$tmp/null.err" ] && [ -c "$tmp/nodes/null" ] && [ -L "$tmp/nodes/null-link" ] &&
    [ "$(files "$tmp/nodes")" = "full null null-link " ]
  result null-device $? "exit $rc1 $rc2, $(ls -l "$tmp/nodes" | tr '\n' ' ') $(cat "$tmp/null.err")"

  # 14. a full device: exit 3 and the one line of any write error, naming the path; still a device
  "$BIN" simulate -q -i $EXPORT -p $POLICIES -o "$tmp/nodes/full" >/dev/null 2>"$tmp/full.err"
  rc=$?
  [ $rc -eq 3 ] && [ "$(cat "$tmp/full.err")" = "purgesim simulate: $tmp/nodes/full: cannot write: No space left on device" ] &&
    [ -c "$tmp/nodes/full" ] && [ "$(files "$tmp/nodes")" = "full null null-link " ]
  result full-device $? "exit $rc, $(ls -l "$tmp/nodes" | tr '\n' ' ') $(cat "$tmp/full.err")"
fi

# 15-20. -o - is standard output in every command that writes one document: the same bytes as
# without -o, exit 0, and no file "-" in the current directory. Run from an empty directory of
# their own, with absolute paths, so that a stray "-" is seen.
ABS_EXPORT=$PWD/$EXPORT ABS_POLICIES=$PWD/$POLICIES
clean_cwd() { rm -rf "$tmp/cwd" && mkdir -p "$tmp/cwd"; }
clean_cwd
# cmd_args CMD: the arguments of a small one-document run of CMD, before -o
cmd_args() {
  case $1 in
    dry-run) args=(dry-run -q -i "$ABS_EXPORT" -fjson) ;;
    report) args=(report -q -i "$ABS_EXPORT" -p "$ABS_POLICIES" --month 2026-10) ;;
    tune) args=(tune -q -i "$ABS_EXPORT" --keep-versions 1) ;;
    generate) args=(generate --scale tiny --days 30) ;;
    *) args=("$1" -q -i "$ABS_EXPORT" -p "$ABS_POLICIES") ;;
  esac
}
for c in dry-run simulate report forecast tune generate; do
  cmd_args $c
  tail=()
  [ $c = dry-run ] && tail=(-- acr purge --filter '.*:.*' --ago 0d)
  # generate has no document without -o: its reference is -o FILE
  if [ $c = generate ]; then
    (cd "$tmp/cwd" && "$BIN" "${args[@]}" -o "$tmp/dash-$c.ref") >/dev/null 2>&1
  else
    (cd "$tmp/cwd" && "$BIN" "${args[@]}" "${tail[@]}") >"$tmp/dash-$c.ref" 2>/dev/null
  fi
  (cd "$tmp/cwd" && "$BIN" "${args[@]}" -o - "${tail[@]}") >"$tmp/dash-$c.out" 2>"$tmp/dash-$c.err"
  rc=$?
  [ $rc -eq 0 ] && [ -s "$tmp/dash-$c.ref" ] && cmp -s "$tmp/dash-$c.ref" "$tmp/dash-$c.out" &&
    [ ! -e "$tmp/cwd/-" ] && [ -z "$(files "$tmp/cwd")" ]
  result "dash-is-stdout/$c" $? "exit $rc, stdout $(wc -c <"$tmp/dash-$c.out") bytes of $(wc -c <"$tmp/dash-$c.ref"), left: $(files "$tmp/cwd") $(cat "$tmp/dash-$c.err")"
  clean_cwd
done

# 21-24. where the output is several files, -o - is a usage error before any work: exit 2, one
# line naming -o - and why, the pointer to --help, nothing on stdout, nothing written
dash_refused() {   # dash_refused NAME WHY ARGS...: ARGS run with -o - from $tmp/cwd
  local name=$1 why=$2 c=$3
  shift 2
  (cd "$tmp/cwd" && "$BIN" "$@" -o -) >"$tmp/refused.out" 2>"$tmp/refused.err"
  local rc=$?
  [ $rc -eq 2 ] && [ ! -s "$tmp/refused.out" ] && [ -z "$(files "$tmp/cwd")" ] &&
    [ "$(cat "$tmp/refused.err")" = "purgesim $c: -o -: $why, and standard output takes one: give -o DIR
Try 'purgesim $c --help'." ]
  result "dash-refused/$name" $? "exit $rc, left: $(files "$tmp/cwd") $(cat "$tmp/refused.err")"
  clean_cwd
}
dash_refused simulate-csv "--format csv writes several files" simulate -q -i "$ABS_EXPORT" -p "$ABS_POLICIES" --format csv
dash_refused report-html "--html writes several files" report -q -i "$ABS_EXPORT" -p "$ABS_POLICIES" --month 2026-10 --html
dash_refused forecast-csv "--format csv writes several files" forecast -q -i "$ABS_EXPORT" -p "$ABS_POLICIES" -fcsv
dash_refused tune-csv "--format csv writes several files" tune -q -i "$ABS_EXPORT" --format=csv

# 25. a directory named "-" does not change what -o - means (standard output, the directory
# untouched); ./- reaches the directory
mkdir -p "$tmp/cwd/-"
(cd "$tmp/cwd" && "$BIN" simulate -q -i "$ABS_EXPORT" -p "$ABS_POLICIES" -fjson -o -) >"$tmp/dashdir.out" 2>"$tmp/dashdir.err"
rc1=$?
(cd "$tmp/cwd" && "$BIN" simulate -q -i "$ABS_EXPORT" -p "$ABS_POLICIES" -fjson -o ./-) >/dev/null 2>>"$tmp/dashdir.err"
rc2=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && jq -e .policies "$tmp/dashdir.out" >/dev/null &&
  cmp -s "$tmp/dashdir.out" "$tmp/cwd/-/simulate.json" && [ "$(files "$tmp/cwd")" = "- " ]
result dash-beside-a-directory-named-dash $? "exit $rc1 $rc2, $(files "$tmp/cwd/-") $(cat "$tmp/dashdir.err")"
clean_cwd

# 26. a dangling symbolic link named as a new directory (--html): the directory it points at is
# created, missing parents too, as a dangling link to a file is written through; the link stays
mkdir -p "$tmp/dl"
ln -s "$tmp/dl/not/yet/html" "$tmp/dl/out"
"$BIN" report -q -i $EXPORT -p $POLICIES --month 2026-10 --html -o "$tmp/dl/out" >/dev/null 2>"$tmp/dl.err"
rc=$?
[ $rc -eq 0 ] && [ -L "$tmp/dl/out" ] && [ "$(readlink "$tmp/dl/out")" = "$tmp/dl/not/yet/html" ] &&
  [ -s "$tmp/dl/not/yet/html/report-2026-10.html" ] && [ -s "$tmp/dl/not/yet/html/report.txt" ] &&
  [ "$(files "$tmp/dl/not/yet")" = "html " ] && [ "$(files "$tmp/dl")" = "not out " ] && [ ! -s "$tmp/dl.err" ]
result dangling-link-as-new-dir $? "exit $rc, $(ls -lR "$tmp/dl" | tr '\n' ' ') $(cat "$tmp/dl.err")"

# 27. the same with csv, a relative link and -o LINK/: the files land in the link's target
ln -s csv-target "$tmp/dl/csv-link"
"$BIN" simulate -q -i $EXPORT -p $POLICIES --format csv -o "$tmp/dl/csv-link/" >/dev/null 2>"$tmp/dl.err"
rc=$?
[ $rc -eq 0 ] && [ -L "$tmp/dl/csv-link" ] && [ -s "$tmp/dl/csv-target/summary.csv" ] &&
  cmp -s "$tmp/a/b/csv/summary.csv" "$tmp/dl/csv-target/summary.csv" && ! grep -qv ': warning: ' "$tmp/dl.err"
result dangling-link-as-new-dir-csv $? "exit $rc, $(ls -l "$tmp/dl" | tr '\n' ' ') $(cat "$tmp/dl.err")"

# 28. a run that fails while writing through a dangling link leaves the link dangling: neither
# the target nor its parents
ln -s "$tmp/dl/half/html" "$tmp/dl/half-link"
( trap '' XFSZ; ulimit -f 8; exec "$BIN" report -q -i $EXPORT -p $POLICIES --month 2026-10 --html -o "$tmp/dl/half-link" ) >/dev/null 2>&1
rc=$?
[ $rc -eq 3 ] && [ -L "$tmp/dl/half-link" ] && [ ! -e "$tmp/dl/half" ]
result dangling-link-failed-write $? "exit $rc, $(ls -lR "$tmp/dl" | tr '\n' ' ')"

# 29. -o - onto a full standard output: exit 3 and the one line of any write error, as -o FILE
"$BIN" simulate -q -i $EXPORT -p $POLICIES -o - >/dev/full 2>"$tmp/stdout-full.err"
rc=$?
[ $rc -eq 3 ] && [ "$(cat "$tmp/stdout-full.err")" = "purgesim simulate: standard output: cannot write: No space left on device" ]
result dash-onto-full-stdout $? "exit $rc, $(cat "$tmp/stdout-full.err")"

[ "$failed" -eq 0 ]
