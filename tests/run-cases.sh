#!/usr/bin/env bash
# Golden end-to-end tests: each tests/cases/<name>/cmd holds purgesim's arguments (shell words,
# run from the repository root); expected.out / expected.err / expected.exit hold what it must
# print and return; files the command writes into "$OUT" are compared with expected.files/.
# UPDATE=1 rewrites the expectations from the actual output (review the diff). CASE=NAME (a
# shell pattern, e.g. 'risk-*') runs only the cases it matches; with UPDATE=1 only those are
# rewritten.
# Prints "planned N" (one case per directory), then "ok case/NAME" or "FAIL case/NAME" per case;
# exits 1 when a case failed (a directory without cmd fails).
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dirs=(tests/cases/${CASE:-*}/)
[ -d "${dirs[0]}" ] || dirs=()
if [ -n "${CASE:-}" ] && [ ${#dirs[@]} -eq 0 ]; then
  echo "run-cases.sh: CASE=$CASE matches no directory in tests/cases" >&2
  exit 2
fi
echo "planned ${#dirs[@]}"
fails=0
for dir in "${dirs[@]}"; do
  name=$(basename "$dir")
  if [ ! -f "$dir/cmd" ]; then
    echo "FAIL case/$name"
    echo "  no cmd file in $dir"
    fails=$((fails + 1))
    continue
  fi
  args=$(cat "$dir/cmd")
  OUT="$tmp/files"; rm -rf "$OUT"; mkdir -p "$OUT"
  : >"$tmp/filediff"
  eval "set -- $args"
  "$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
  echo $? >"$tmp/exit"
  if [ "${UPDATE:-}" = 1 ]; then
    cp "$tmp/out" "$dir/expected.out"; cp "$tmp/exit" "$dir/expected.exit"
    if [ -s "$tmp/err" ]; then cp "$tmp/err" "$dir/expected.err"; else rm -f "$dir/expected.err"; fi
    rm -rf "$dir/expected.files"
    if [ -n "$(ls -A "$OUT")" ]; then cp -r "$OUT" "$dir/expected.files"; fi
    # keep a PNG in the tree only as a marker of its name: the content is not compared
    for png in "$dir"/expected.files/*.png; do [ -e "$png" ] && printf '\x89PNG\r\n\x1a\n' >"$png"; done
  fi
  ok=1
  if [ -d "$dir/expected.files" ] || [ -n "$(ls -A "$OUT")" ]; then
    # a PNG's bytes depend on the libpng and zlib in use: compare their names and signature, the
    # SVGs in full
    diff -r -x '*.png' "$dir/expected.files" "$OUT" >"$tmp/filediff" 2>&1 || ok=0
    for png in "$dir"/expected.files/*.png; do
      [ -e "$png" ] || continue
      got="$OUT/$(basename "$png")"
      if ! head -c 8 "$got" 2>/dev/null | od -An -c | grep -q 'P   N   G'; then ok=0; echo "not a PNG: $(basename "$png")" >>"$tmp/filediff"; fi
    done
  fi
  cmp -s "$tmp/out" "$dir/expected.out" || ok=0
  cmp -s "$tmp/exit" "$dir/expected.exit" || ok=0
  if [ -f "$dir/expected.err" ]; then cmp -s "$tmp/err" "$dir/expected.err" || ok=0
  elif [ -s "$tmp/err" ]; then ok=0; fi
  if [ $ok = 1 ]; then echo "ok case/$name"
  else
    echo "FAIL case/$name"
    fails=$((fails + 1))
    diff -u "$dir/expected.out" "$tmp/out" | head -20
    [ -f "$dir/expected.err" ] && diff -u "$dir/expected.err" "$tmp/err" | head -10
    echo "exit: expected $(cat "$dir/expected.exit" 2>/dev/null), got $(cat "$tmp/exit")"
    [ -s "$tmp/filediff" ] && head -20 "$tmp/filediff"
  fi
done
[ "$fails" -eq 0 ]
