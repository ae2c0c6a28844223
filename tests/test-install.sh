#!/usr/bin/env bash
# make install and uninstall: the layout under DESTDIR (which must not be compiled in), an
# installed purgesim run from / finding its price table with no environment variable (where
# it was installed, and relative to itself once moved), the man page, and the message naming
# the places looked when the table is gone, the dated price tables installed beside acr-aud.json
# (the newest one by default, --pricing-date picking an older one), --help's exit codes as one
# list in the page. Builds into a temporary directory with its own PREFIX, so the tree's
# ./purgesim and $B are left alone. Needs help2man and man-db (make deps).
# Prints "planned N", then "ok install/NAME" / "FAIL install/NAME" per check; exits 1 when one
# fails.
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
ROOT=$PWD
PLANNED=17
echo "planned $PLANNED"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/purgesim-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
res() {   # res NAME STATUS [WHY]
  if [ "$2" = 0 ]; then echo "ok install/$1"
  else echo "FAIL install/$1"; [ -n "${3:-}" ] && printf '    %s\n' "$3"; failed=$((failed + 1)); fi
}
# a plain build of our own (not the caller's SAN/WERROR, which make passes on in MAKEFLAGS)
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j"$(nproc)" \
         SAN= B="$tmp/build" BIN="$tmp/build/purgesim" "$@" >>"$tmp/make.log" 2>&1; }
unset PURGESIM_PRICING
export MANPAGER=cat PAGER=cat MANWIDTH=80
sample=$ROOT/data/sample/devreg.json
# run BIN: a dry run from /, as the README's first example; output in $tmp/out, $tmp/err
run() { (cd / && "$1" dry-run -i "$sample" -- acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged) \
          >"$tmp/out" 2>"$tmp/err"; }
priced() { run "$1" && grep -q 'AUD/month' "$tmp/out"; }

# --- DESTDIR: staged for a package, PREFIX=/usr ---------------------------------------------------
d=$tmp/destdir
mk install DESTDIR="$d" PREFIX=/usr
res destdir-install $? "$(tail -5 "$tmp/make.log")"
# the binary, the man page and every table of data/pricing (acr-aud.json and the dated ones)
n_tables=$(find "$ROOT/data/pricing" -maxdepth 1 \( -name acr-aud.json -o -name 'acr-aud-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].json' \) | wc -l)
[ -x "$d/usr/bin/purgesim" ] && [ -f "$d/usr/share/purgesim/pricing/acr-aud.json" ] &&
  [ -f "$d/usr/share/man/man1/purgesim.1" ] && [ "$(find "$d" -type f | wc -l)" = $((2 + n_tables)) ]
res destdir-layout $? "$(find "$d" -type f)"
# the binary knows /usr/share/purgesim and nothing of the staging directory
! grep -q "$tmp" "$d/usr/bin/purgesim" && grep -q /usr/share/purgesim "$d/usr/bin/purgesim"
res destdir-not-compiled-in $?
# /usr/share/purgesim is not there (on a test machine): found relative to the binary
priced "$d/usr/bin/purgesim"
res destdir-tree-found-relative $? "$(head -3 "$tmp/err")"
mk uninstall DESTDIR="$d" PREFIX=/usr
[ -z "$(find "$d" -type f)" ]
res destdir-uninstall $? "$(find "$d" -type f)"

# --- PREFIX: installed in place ------------------------------------------------------------------
p=$tmp/prefix
# with a dated table beside acr-aud.json: a made-up one of 2030 whose price no other table has
sed -e 's/"date": "2024-12-01"/"date": "2030-01-01"/' -e 's/"overage_per_gb_day": 0.00516/"overage_per_gb_day": 0.00777/' \
  "$ROOT/data/pricing/acr-aud.json" >"$tmp/acr-aud-2030-01-01.json"
mk install PREFIX="$p" PRICING_TABLES="$ROOT/data/pricing/acr-aud.json $tmp/acr-aud-2030-01-01.json"
res prefix-install $? "$(tail -5 "$tmp/make.log")"
# a new PREFIX rebuilt the binary with the new data directory
grep -q "$p/share/purgesim" "$p/bin/purgesim" 2>/dev/null
res prefix-compiled-in $?
priced "$p/bin/purgesim"
res runs-from-root $? "$(head -3 "$tmp/err")"
# the newest installed table by default, an older one with --pricing-date
[ -f "$p/share/purgesim/pricing/acr-aud-2030-01-01.json" ] && grep -q '0.00777 AUD per GiB per day (prices 2030-01-01)' "$tmp/out"
res dated-table-installed-and-newest $? "$(grep -i 'prices' "$tmp/out" | head -2)"
(cd / && "$p/bin/purgesim" dry-run -i "$sample" --pricing-date 2029-12-31 -- acr purge --filter '.*:.*' --ago 0d) \
  >"$tmp/out" 2>"$tmp/err"
grep -q '0.00516 AUD per GiB per day (prices 2024-12-01)' "$tmp/out"
res pricing-date-picks-older-table $? "$(grep -i 'prices' "$tmp/out" | head -2; head -3 "$tmp/err")"
# a copy elsewhere finds the table only through the compiled-in data directory
mkdir -p "$tmp/elsewhere" && cp "$p/bin/purgesim" "$tmp/elsewhere/purgesim" 2>/dev/null
priced "$tmp/elsewhere/purgesim"
res copy-finds-installed-table $? "$(head -3 "$tmp/err")"
man_out=$(MANPATH=$p/share/man man purgesim 2>&1)
printf '%s\n' "$man_out" | grep -A1 '^NAME' | grep -qE 'purgesim +- '
res man-page $? "$(printf '%s\n' "$man_out" | head -3)"
man -l "$p/share/man/man1/purgesim.1" 2>&1 | grep -q "$p/share/purgesim/pricing/acr-aud.json"
res man-page-names-installed-table $?
# --help's exit codes are one list in the page: each code a list item at the same indent
codes=$(man -l "$p/share/man/man1/purgesim.1" 2>&1 | sed -n '/^ *exit codes:/,/^EXIT STATUS/p' |
          sed -n 's/^       \([0-6]\)  .*/\1/p' | tr -d '\n')
[ "$codes" = 0123456 ]
res man-page-exit-codes-one-list $? "codes listed: $codes"
# moved after installing: found relative to the binary
mkdir -p "$tmp/moved" && cp -R "$p" "$tmp/moved/" 2>/dev/null
mk uninstall PREFIX="$p"
[ -z "$(find "$p" -type f 2>/dev/null)" ]
res prefix-uninstall $? "$(find "$p" -type f)"
priced "$tmp/moved/prefix/bin/purgesim"
res moved-tree-found-relative $? "$(head -3 "$tmp/err")"
# nothing anywhere: exit 3 and a message naming where it looked
run "$tmp/elsewhere/purgesim"
rc=$?
[ "$rc" = 3 ] && grep -q 'no pricing table found' "$tmp/err" &&
  grep -qF "$p/share/purgesim/pricing/acr-aud.json" "$tmp/err" &&
  grep -qF "$tmp/elsewhere/data/pricing/acr-aud.json" "$tmp/err"
res missing-table-names-places $? "exit $rc: $(head -8 "$tmp/err")"

[ "$failed" -eq 0 ]
