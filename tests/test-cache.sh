#!/usr/bin/env bash
# The model cache through the command line (sim/model_cache.c), in a cache directory of its
# own (XDG_CACHE_HOME): the first read of an export writes one image, the second uses it (-v
# says "hit"), and the output is the same bytes cold and warm, for dry-run, simulate and an
# export directory; touching the export makes the image stale, and the export is read again;
# a corrupt or truncated image is refused, the export read again and the image rewritten,
# with the same output; --no-cache neither reads nor writes an image; an unwritable cache
# directory or no HOME changes nothing but the cache; without -v the cache says nothing; the
# directory keeps to its budget (PURGESIM_CACHE_MAX), removing the images used least recently.
# Prints "planned N", then "ok NAME" / "FAIL NAME" lines for tests/run-all.sh; exits 1 when a
# check failed.
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
PLANNED=19
echo "planned $PLANNED"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok cache/$1"; }
fail() {
  echo "FAIL cache/$1"
  shift
  printf '  %s\n' "$@"
  fails=$((fails + 1))
}
# check NAME COMMAND...: ok when COMMAND succeeds
check() {
  local name=$1
  shift
  if "$@" 2>"$tmp/check.err"; then ok "$name"; else fail "$name" "failed: $*" "$(head -3 "$tmp/check.err")"; fi
}

export XDG_CACHE_HOME=$tmp/xdg
cache=$XDG_CACHE_HOME/purgesim
cp data/sample/devreg.json "$tmp/reg.json"
cp -r tests/cases/export-dir/export "$tmp/dir"
# an input changed less than a second ago is not cached (its next change could keep the same
# time stamp): let the copies age
sleep 1.2

cmd=(acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged)
# dry N [ARGS...]: a dry run of reg.json as JSON into $tmp/dry-N.out, stderr into $tmp/dry-N.err
dry() {
  local n=$1
  shift
  "$BIN" dry-run -q -i "$tmp/reg.json" --format json "$@" -- "${cmd[@]}" >"$tmp/dry-$n.out" 2>"$tmp/dry-$n.err"
}
images() { find "$cache" -name '*.model' 2>/dev/null | wc -l; }

# 1. cold: one image written, named on stderr under -v
dry 1 -v
if [ "$(images)" -eq 1 ] && grep -q "^purgesim: model cache: written $cache/[0-9a-f]\{32\}\.model$" "$tmp/dry-1.err"; then
  ok written
else fail written "images: $(images)" "$(cat "$tmp/dry-1.err")"; fi
image=$(find "$cache" -name '*.model' | head -1)

# 2. warm: the image is used, the output is the same bytes
dry 2 -v
if grep -q "^purgesim: model cache: hit $image$" "$tmp/dry-2.err"; then ok hit; else fail hit "$(cat "$tmp/dry-2.err")"; fi
check same-output-warm cmp "$tmp/dry-1.out" "$tmp/dry-2.out"

# 3. without -v the cache is silent
dry 3
if [ ! -s "$tmp/dry-3.err" ] && cmp -s "$tmp/dry-1.out" "$tmp/dry-3.out"; then ok silent; else fail silent "$(cat "$tmp/dry-3.err")"; fi

# 4. the reference: no cache at all, and --no-cache leaves none behind
rm -rf "$XDG_CACHE_HOME"
dry 4 -v --no-cache
if [ "$(images)" -eq 0 ] && [ ! -e "$cache" ] && [ ! -s "$tmp/dry-4.err" ]; then ok no-cache-writes-nothing
else fail no-cache-writes-nothing "images: $(images)" "$(cat "$tmp/dry-4.err")"; fi
check same-output-as-no-cache cmp "$tmp/dry-1.out" "$tmp/dry-4.out"

# 5. touched: stale, read again (not written yet: it just changed), same output; once it has
# aged, written again over the same image
dry 5 -v
touch "$tmp/reg.json"
dry 6 -v
if grep -q "stale image $image (.*) rebuilt; not written: an input changed less than a second ago" "$tmp/dry-6.err" &&
   cmp -s "$tmp/dry-1.out" "$tmp/dry-6.out"; then ok touched-is-stale
else fail touched-is-stale "$(cat "$tmp/dry-6.err")"; fi
sleep 1.2
dry 7 -v
if grep -q "stale image $image (.*) rebuilt; written $image$" "$tmp/dry-7.err" && [ "$(images)" -eq 1 ]; then
  ok stale-rewritten
else fail stale-rewritten "images: $(images)" "$(cat "$tmp/dry-7.err")"; fi

# 6. corrupt: a byte in the middle flipped, then the image cut short: each refused, rebuilt,
# rewritten, with the same output
size=$(stat -c %s "$image")
printf '\377' | dd of="$image" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
dry 8 -v
if grep -q "corrupt image $image (checksum of the .*) rebuilt; written $image$" "$tmp/dry-8.err" &&
   cmp -s "$tmp/dry-1.out" "$tmp/dry-8.out"; then ok corrupt-rebuilt
else fail corrupt-rebuilt "$(cat "$tmp/dry-8.err")"; fi
truncate -s $((size - 100)) "$image"
dry 9 -v
dry 10 -v
if grep -q "corrupt image $image (.*) rebuilt; written $image$" "$tmp/dry-9.err" &&
   grep -q "model cache: hit $image$" "$tmp/dry-10.err" && cmp -s "$tmp/dry-1.out" "$tmp/dry-10.out"; then
  ok truncated-rebuilt
else fail truncated-rebuilt "$(cat "$tmp/dry-9.err" "$tmp/dry-10.err")"; fi

# 7. simulate on an export directory, cold then warm: the same table; --registry makes another image
sim() { "$BIN" simulate -q -i "$tmp/dir" -p data/policies/example.ini "$@"; }
sim -v >"$tmp/sim-1.out" 2>"$tmp/sim-1.err"
sim -v >"$tmp/sim-2.out" 2>"$tmp/sim-2.err"
if grep -q "model cache: written" "$tmp/sim-1.err" && grep -q "model cache: hit" "$tmp/sim-2.err" &&
   cmp -s "$tmp/sim-1.out" "$tmp/sim-2.out"; then ok simulate-dir-warm
else fail simulate-dir-warm "$(cat "$tmp/sim-1.err" "$tmp/sim-2.err")"; fi
sim --no-cache >"$tmp/sim-3.out" 2>&1
check simulate-dir-same-as-no-cache cmp "$tmp/sim-1.out" "$tmp/sim-3.out"
# a new file in the directory (any: the key lists them all): stale
echo notes >"$tmp/dir/notes.txt"
sim -v >"$tmp/sim-4.out" 2>"$tmp/sim-4.err"
if grep -q "model cache: stale image" "$tmp/sim-4.err"; then ok dir-file-added-is-stale
else fail dir-file-added-is-stale "$(cat "$tmp/sim-4.err")"; fi

# 8. a cache directory that cannot be made (under a regular file: root or not), or no HOME and
# no XDG_CACHE_HOME: the run is the same, with one line under -v
echo >"$tmp/afile"
XDG_CACHE_HOME=$tmp/afile dry 11 -v
r1=$?
env -u XDG_CACHE_HOME -u HOME "$BIN" dry-run -q -v -i "$tmp/reg.json" --format json -- "${cmd[@]}" >"$tmp/dry-12.out" 2>"$tmp/dry-12.err"
r2=$?
if [ "$r1" -eq 0 ] && [ "$r2" -eq 0 ] && cmp -s "$tmp/dry-1.out" "$tmp/dry-11.out" && cmp -s "$tmp/dry-1.out" "$tmp/dry-12.out" &&
   [ "$(grep -c 'model cache: not used' "$tmp/dry-11.err")" -eq 1 ] && [ "$(wc -l <"$tmp/dry-11.err")" -eq 1 ] &&
   grep -q "model cache: not used: neither XDG_CACHE_HOME nor HOME is set" "$tmp/dry-12.err"; then
  ok unwritable-cache-harmless
else fail unwritable-cache-harmless "exit $r1 $r2" "$(cat "$tmp/dry-11.err" "$tmp/dry-12.err")"; fi

# 9. no temporary file is left in the cache directory
if [ -z "$(find "$cache" -name '*.tmp.*')" ]; then ok no-temporary-left; else fail no-temporary-left "$(ls -la "$cache")"; fi

# 10. the budget: with room for none but the image in use, writing an image removes the others,
# the one used least recently first; a hit marks its image used; a write's leftover older than a
# day goes, a younger one and files that are not images stay; a budget that is not a number is
# said and the default used
rm -rf "$XDG_CACHE_HOME"
mkdir -p "$tmp/exports"
for k in a b c; do cp data/sample/devreg.json "$tmp/exports/$k.json"; done
sleep 1.2
mk() { "$BIN" dry-run -q -v -i "$tmp/exports/$1.json" --format json -- "${cmd[@]}" >/dev/null 2>"$tmp/mk-$1.err"; }
mk a; mk b
touch -d '2 hours ago' "$(grep -o '[^ ]*\.model$' "$tmp/mk-a.err")"
touch -d '1 hour ago' "$(grep -o '[^ ]*\.model$' "$tmp/mk-b.err")"
mk a   # a hit: a is now the one used last
image_a=$(grep -o '[^ ]*\.model$' "$tmp/mk-a.err")
size_a=$(stat -c %s "$image_a")
echo keep >"$cache/README.txt"
echo old >"$cache/$(basename "$image_a").tmp.AAAAAA"
touch -d '2 days ago' "$cache/$(basename "$image_a").tmp.AAAAAA"
echo young >"$cache/$(basename "$image_a").tmp.BBBBBB"
# room for two images: c is written, b (used least recently) goes, a stays
budget_k=$(( (2 * size_a + 1023) / 1024 ))
PURGESIM_CACHE_MAX=${budget_k}K mk c
image_b=$(grep -o '[^ ]*\.model$' "$tmp/mk-b.err")
if [ -e "$image_a" ] && [ ! -e "$image_b" ] && [ "$(images)" -eq 2 ] &&
   grep -q "model cache: removed 1 image used least recently (the cache keeps ${budget_k}K)" "$tmp/mk-c.err"; then
  ok budget-lru
else fail budget-lru "images: $(images)" "$(cat "$tmp/mk-c.err")"; fi
PURGESIM_CACHE_MAX=0 mk b
if [ "$(images)" -eq 1 ] && [ -e "$(grep -o '[^ ]*\.model$' "$tmp/mk-b.err" | head -1)" ]; then ok budget-keeps-the-one-written
else fail budget-keeps-the-one-written "images: $(images)" "$(cat "$tmp/mk-b.err")"; fi
if [ -e "$cache/README.txt" ] && [ ! -e "$cache/$(basename "$image_a").tmp.AAAAAA" ] &&
   [ -e "$cache/$(basename "$image_a").tmp.BBBBBB" ]; then ok budget-leaves-other-files
else fail budget-leaves-other-files "$(ls -la "$cache")"; fi
rm -f "$cache/$(basename "$image_a").tmp.BBBBBB"
PURGESIM_CACHE_MAX=lots mk a
if grep -q "^purgesim: PURGESIM_CACHE_MAX: expected a size such as 500M or 2G, got 'lots'; using 2G$" "$tmp/mk-a.err" &&
   [ "$(images)" -eq 2 ]; then ok budget-not-a-number
else fail budget-not-a-number "images: $(images)" "$(cat "$tmp/mk-a.err")"; fi

[ "$fails" -eq 0 ]
