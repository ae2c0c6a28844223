#!/usr/bin/env bash
# bench.sh - measures purgesim on a generated bundle in one run and prints a table of figures:
# bundle size and generation time, ingest MB/s against a plain cJSON_Parse of the whole file
# (the in-run reference), peak RSS, model bytes per manifest, one dry-run, and replay times
# (1 and 3 policies, nightly and hourly, 30 and 365 days, 100k and 1M manifests), the model
# cache (its image's write and load against the JSON read, and a dry run cold and warm); then the issue
# #15 targets on two registries of the scale, the default mix and heavy CI churn (`generate
# --profile churn`): the 3-policy replay against the same run's ingest, and with BENCH_NAIVE=1
# a cold simulate against the straightforward Python script (tests/tools/naive_replay.py);
# last, tune's default grid on 100k manifests (the medium bundle) against one simulate of it.
#
# Env: BENCH_SCALE  tiny|small|medium|large|xl (default large)
#      BENCH_SEED   generator seed (default 1)
#      BENCH_DIR    where bundles and helpers live (default build/bench; bundles are reused
#                   while the same scale and seed exist and no sim/generate*.[ch] is newer)
#      BIN          purgesim binary (default ./purgesim)
#      B            build directory whose libpurgesim.a the helpers link (default build)
#      BENCH_NAIVE  1: also time tests/tools/naive_replay.py on both registries (minutes at
#                   large, and about 6 GB of memory per 1M manifests)
#      CC           C compiler for the bench_ingest helper (default cc)
# MB = 10^6 bytes. Every figure comes from this run on this machine; compare rows, not runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
export TZ=UTC LC_ALL=C

scale=${BENCH_SCALE:-large}
seed=${BENCH_SEED:-1}
dir=${BENCH_DIR:-build/bench}
BIN=${BIN:-./purgesim}
B=${B:-build}
CC=${CC:-cc}
case "$scale" in tiny|small|medium|large|xl) ;; *) echo "bench: BENCH_SCALE must be tiny, small, medium, large or xl" >&2; exit 2 ;; esac

mkdir -p "$dir"
# the model cache in a directory of the bench's own; the figures other than the cache's own
# are of JSON reads (--no-cache)
XDG_CACHE_HOME="$(cd "$dir" && pwd)/xdg"
export XDG_CACHE_HOME
if [ ! -x "$BIN" ] || [ ! -f "$B/libpurgesim.a" ]; then
  make --no-print-directory B="$B" BIN="$BIN" all "$B/libpurgesim.a" >&2
fi

# The helper: ingest-only and cJSON-reference modes, each in its own process for its own RSS.
helper=$dir/bench_ingest
if [ ! -x "$helper" ] || [ tests/tools/bench_ingest.c -nt "$helper" ] || [ "$B/libpurgesim.a" -nt "$helper" ]; then
  # shellcheck disable=SC2046
  "$CC" -O2 -std=c17 -D_GNU_SOURCE -Isim -Ireports $(pkg-config --cflags libcjson 2>/dev/null || echo -I/usr/include/cjson) \
    tests/tools/bench_ingest.c "$B/libpurgesim.a" \
    $(pkg-config --libs libcjson libpcre2-8 2>/dev/null || echo -lcjson -lpcre2-8) -lcsv -lplot -lpthread -lm \
    -o "$helper"
fi

# The event-log helper: a synthetic log, pulls of what a bundle holds, and the reader alone.
helper_ev=$dir/bench_events
if [ ! -x "$helper_ev" ] || [ tests/tools/bench_events.c -nt "$helper_ev" ] || [ "$B/libpurgesim.a" -nt "$helper_ev" ]; then
  # shellcheck disable=SC2046
  "$CC" -O2 -std=c17 -D_GNU_SOURCE -Isim -Ireports $(pkg-config --cflags libcjson 2>/dev/null || echo -I/usr/include/cjson) \
    tests/tools/bench_events.c "$B/libpurgesim.a" \
    $(pkg-config --libs libcjson libpcre2-8 yaml-0.1 2>/dev/null || echo -lcjson -lpcre2-8 -lyaml) -lcsv -lplot -lpthread -lm \
    -o "$helper_ev"
fi

gen=("$BIN" generate)

TIMEV=
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then TIMEV=/usr/bin/time; fi

now() { date +%s.%N; }
kv() { sed -n "s/^$1=//p" "$2" | tail -1; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
rate() { awk "BEGIN { if ($2 > 0) printf \"%.0f MB/s\", $1 / $2; else printf \"- MB/s\" }"; }
# generator_newer FILE: a file of the generator (sim/generate*.[ch]) is newer than FILE
generator_newer() {
  local f
  for f in sim/generate*.[ch]; do [ "$f" -nt "$1" ] && return 0; done
  return 1
}

bundle=$dir/synth-$scale-seed$seed.json
if [ -f "$bundle" ] && ! generator_newer "$bundle" &&
   head -c 600 "$bundle" | grep -q "\"scale\": \"$scale\", \"seed\": $seed,"; then
  gen_note="reused $bundle"
  gen_secs=
else
  t0=$(now)
  "${gen[@]}" --scale "$scale" --seed "$seed" -o "$bundle" --stats 2>"$dir/generate.log"
  t1=$(now)
  gen_secs=$(calc "%.2f" "$t1 - $t0")
  gen_raw=$(calc "%.6f" "$t1 - $t0")
  gen_note="written this run"
fi
bytes=$(stat -c %s "$bundle")
mb=$(calc "%.1f" "$bytes / 1e6")
cat "$bundle" >/dev/null   # both readers start from the page cache

"$helper" ingest "$bundle" >"$dir/ingest.kv"          # one thread per core (the default)
"$helper" ingest "$bundle" 1 >"$dir/ingest1.kv"      # the same on one thread
# A whole-file cJSON tree takes about 5-6x the file in RAM; skip the reference rather than swap.
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null || echo 0)
if [ "${avail_kb:-0}" -gt 0 ] && [ $((bytes * 7 / 1024)) -gt "$avail_kb" ]; then
  printf 'mode=cjson\nskipped=needs about %s GB of RAM, %s GB available\n' \
    "$(calc "%.0f" "$bytes * 7 / 1e9")" "$(calc "%.0f" "$avail_kb * 1024 / 1e9")" >"$dir/cjson.kv"
else
  "$helper" cjson "$bundle" >"$dir/cjson.kv"
fi

# One dry-run of the whole pipeline: ingest, rule parse, purge, JSON report.
dry_rc=0
if [ -n "$TIMEV" ]; then
  $TIMEV -v "$BIN" dry-run -i "$bundle" --format json -q --no-cache -- \
    acr purge --filter '.*:.*' --ago 30d --keep 3 --untagged >"$dir/dryrun.json" 2>"$dir/dryrun.time" || dry_rc=$?
  dry_secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$dir/dryrun.time")
  dry_rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/dryrun.time")
else
  t0=$(now)
  "$BIN" dry-run -i "$bundle" --format json -q --no-cache -- \
    acr purge --filter '.*:.*' --ago 30d --keep 3 --untagged >"$dir/dryrun.json" 2>/dev/null || dry_rc=$?
  t1=$(now)
  dry_secs=$(calc "%.2f" "$t1 - $t0")
  dry_rss_kb=
fi

I=$dir/ingest.kv C=$dir/cjson.kv
manifests=$(kv manifests "$I") repos=$(kv repos "$I") blobs=$(kv blobs "$I") tags=$(kv tags "$I")
in_s=$(kv seconds "$I") in_mbs=$(kv mb_per_s "$I") in_rss=$(kv peak_rss_kb "$I")
model=$(kv model_bytes "$I") model_alloc=$(kv model_alloc_bytes "$I") bpm=$(kv bytes_per_manifest "$I")
cj_s=$(kv seconds "$C") cj_mbs=$(kv mb_per_s "$C") cj_rss=$(kv peak_rss_kb "$C")
cj_read=$(kv read_seconds "$C") cj_parse=$(kv parse_seconds "$C") cj_skip=$(kv skipped "$C")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)

row() { printf '%-34s %14s   %s\n' "$1" "$2" "$3"; }
echo
echo "purgesim bench: scale $scale, seed $seed, $(nproc) CPUs${cpu:+ ($cpu)}"
echo "bundle: $bundle ($gen_note)"
echo
row "figure" "value" "note"
row "----------------------------------" "--------------" "----------------------------------------"
row "bundle size" "$mb MB" "$repos repos, $manifests manifests, $tags tags, $blobs blobs"
if [ -n "$gen_secs" ]; then
  row "generate" "$gen_secs s" "$(rate "$bytes / 1e6" "$gen_raw"), streamed"
else
  row "generate" "-" "reused; delete the bundle to time it"
fi
row "ingest (purgesim ingest_load)" "$in_s s" "$in_mbs MB/s, $(nproc) threads"
row "ingest, 1 thread" "$(kv seconds "$dir/ingest1.kv") s" "$(kv mb_per_s "$dir/ingest1.kv") MB/s: $(calc "%.2fx" "$(kv seconds "$dir/ingest1.kv") / $in_s") the time of $(nproc) threads"
if [ -z "$cj_skip" ]; then
  row "cJSON_Parse whole file (reference)" "$cj_s s" "$cj_mbs MB/s (read $cj_read s + parse $cj_parse s)"
  row "ingest speed / cJSON speed" "$(awk "BEGIN { if ($cj_mbs > 0) printf \"%.2fx\", $in_mbs / $cj_mbs; else print \"-\" }")" "above 1: ingest is faster than one plain parse"
else
  row "cJSON_Parse whole file (reference)" "-" "skipped: $cj_skip"
fi
row "peak RSS, ingest" "$(calc "%.1f MB" "$in_rss * 1024 / 1e6")" "$(calc "%.3fx" "$in_rss * 1024 / $bytes") the file size"
if [ -z "$cj_skip" ]; then
  row "peak RSS, cJSON reference" "$(calc "%.1f MB" "$cj_rss * 1024 / 1e6")" "$(calc "%.3fx" "$cj_rss * 1024 / $bytes") the file size"
fi
row "model bytes" "$(calc "%.1f MB" "$model / 1e6")" "arena + repo/blob arrays + blob index; $(calc "%.1f MB" "$model_alloc / 1e6") with spare capacity"
row "model bytes per manifest" "$bpm B" "all of the model over manifests (tags, layers, blobs included)"
if [ -n "$dry_rss_kb" ]; then
  row "dry-run --format json" "$dry_secs s" "$(rate "$mb" "$dry_secs"), peak RSS $(calc "%.1f MB" "$dry_rss_kb * 1024 / 1e6"), exit $dry_rc"
else
  row "dry-run --format json" "$dry_secs s" "$(rate "$mb" "$dry_secs"), exit $dry_rc (no /usr/bin/time: no RSS)"
fi
row "  (command)" "" "acr purge --filter '.*:.*' --ago 30d --keep 3 --untagged"
# ---- the model cache: the image's load against the JSON read (issue #15: at most 0.1x) ------------
"$helper" cache "$bundle" >"$dir/cache.kv"
K=$dir/cache.kv
c_json=$(kv json_seconds "$K") c_load=$(kv load_seconds "$K")
c_ratio=$(calc "%.3f" "$c_load / ($c_json > 0 ? $c_json : 1e-9)")
row "model cache: JSON read" "$c_json s" "ingest_load, $(nproc) threads: the reference"
row "model cache: image write" "$(kv write_seconds "$K") s" "$(calc "%.1f MB" "$(kv image_bytes "$K") / 1e6") image ($(calc "%.2fx" "$(kv image_bytes "$K") / $bytes") the bundle)"
row "model cache: image load" "$c_load s" "${c_ratio}x the JSON read (target: at most 0.1x: $(awk -v r="$c_ratio" 'BEGIN { print (r <= 0.1 ? "met" : "NOT met") }')); best of 3"
# the same through the command line: the first run reads the JSON and writes the image, the
# second loads it (cold: the --no-cache dry run above)
rm -rf "$XDG_CACHE_HOME"
dcmd=(acr purge --filter '.*:.*' --ago 30d --keep 3 --untagged)
t0=$(now)
"$BIN" dry-run -i "$bundle" --format json -q -v -- "${dcmd[@]}" >"$dir/dryrun-first.json" 2>"$dir/dryrun-first.err" || true
t1=$(now)
"$BIN" dry-run -i "$bundle" --format json -q -v -- "${dcmd[@]}" >"$dir/dryrun-warm.json" 2>"$dir/dryrun-warm.err" || true
t2=$(now)
first=$(sed -n 's/^purgesim: model cache: \(.*\) [^ ]*$/\1/p' "$dir/dryrun-first.err" | head -1)
warm=$(sed -n 's/^purgesim: model cache: \(.*\) [^ ]*$/\1/p' "$dir/dryrun-warm.err" | head -1)
same=$(cmp -s "$dir/dryrun.json" "$dir/dryrun-warm.json" && echo "the same JSON" || echo "DIFFERENT JSON")
row "dry-run, first with the cache" "$(calc "%.2f" "$t1 - $t0") s" "the JSON read, the image ${first:-?}; cold (--no-cache): $dry_secs s"
row "dry-run, warm model cache" "$(calc "%.2f" "$t2 - $t1") s" "image ${warm:-?}; $same as the cold run"
# ---- replay ---------------------------------------------------------------------------------
# simulate prints its phase times with PURGESIM_TIMING=1; the replay row is the replay phase
# alone (all policies, baseline included), next to that run's own ingest.
cat >"$dir/p1-nightly.ini" <<'INI'
[nightly-keep3]
az acr task create --name p --schedule "0 0 * * *" --cmd "acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged" --context /dev/null
INI
cat >"$dir/p1-hourly.ini" <<'INI'
[hourly-keep3]
az acr task create --name p --schedule "0 * * * *" --cmd "acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged" --context /dev/null
INI
cat >"$dir/p3.ini" <<'INI'
[nightly-keep3]
az acr task create --name p --schedule "0 0 * * *" --cmd "acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged" --context /dev/null
[weekly-30d]
az acr task create --name p --schedule "0 3 * * 0" --cmd "acr purge --filter '.*:.*' --ago 30d --untagged" --context /dev/null
[retention-7d]
az acr config retention update --registry r --days 7 --type UntaggedManifests --status enabled
INI
# simulate BUNDLE POLICIES JOBS [more args]: sets sim_ingest, sim_replay, sim_total, sim_rss_kb
simulate() {
  local b=$1 p=$2 j=$3; shift 3
  local t0 t1
  t0=$(now)
  if [ -n "$TIMEV" ]; then
    PURGESIM_TIMING=1 $TIMEV -v "$BIN" simulate --no-cache -i "$b" -p "$p" --jobs "$j" "$@" >/dev/null 2>"$dir/sim.err"
  else
    PURGESIM_TIMING=1 "$BIN" simulate --no-cache -i "$b" -p "$p" --jobs "$j" "$@" >/dev/null 2>"$dir/sim.err"
  fi
  t1=$(now)
  sim_total=$(calc "%.2f" "$t1 - $t0")
  sim_ingest=$(awk '$1 == "timing" && $2 == "ingest" { print $3 }' "$dir/sim.err")
  sim_replay=$(awk '$1 == "timing" && $2 == "replay" { print $3 }' "$dir/sim.err")
  sim_events=$(awk '$1 == "timing" && $2 == "events" { print $3 }' "$dir/sim.err")
  sim_history=$(awk '$1 == "timing" && $2 == "history" { print $3 }' "$dir/sim.err")
  sim_rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/sim.err")
}
days=$(sed -n 's/.*"days": \([0-9]*\).*/\1/p' <(head -c 600 "$bundle") | head -1)
end=$(sed -n 's/.*"exportedAt": "\([^"]*\)".*/\1/p' <(head -c 600 "$bundle") | head -1)
from30=$(date -u -d "${end:-2026-11-01T00:00:00Z} - 30 days" +%Y-%m-%dT%H:%M:%SZ)

simulate "$bundle" "$dir/p1-nightly.ini" 1
n1_replay=$sim_replay n1_ingest=$sim_ingest n1_total=$sim_total
row "replay 1 policy, nightly, ${days:-365} d" "$n1_replay s" "1 thread; ingest in the same run $n1_ingest s"
simulate "$bundle" "$dir/p1-hourly.ini" 1
h1_replay=$sim_replay
row "replay 1 policy, hourly, ${days:-365} d" "$h1_replay s" "$(calc "%.2fx" "$h1_replay / $n1_replay") the nightly replay (target: at most 3x)"
simulate "$bundle" "$dir/p3.ini" 1
row "replay 3 policies, ${days:-365} d, 1 thread" "$sim_replay s" "nightly keep 3, weekly 30d, retention 7d (+ baseline)"
simulate "$bundle" "$dir/p3.ini" 2
p3_replay=$sim_replay p3_ingest=$sim_ingest
row "replay 3 policies, ${days:-365} d, 2 threads" "$p3_replay s" "$(calc "%.2fx" "$p3_replay / $p3_ingest") the run's ingest ($p3_ingest s; target: below 1x), peak RSS $(calc "%.0f MB" "${sim_rss_kb:-0} * 1024 / 1e6")"
row "  (made of)" "" "$(awk '$1 == "timing" && $2 == "replay-setup" { printf "setup %s s wall; CPU:", $3 } $1 == "timing" && $2 == "policy-cpu" { printf " %s %s s,", $4, $3 }' "$dir/sim.err" | sed 's/,$//')"
simulate "$bundle" "$dir/p1-nightly.ini" 1 --from "$from30"
row "replay 1 policy, nightly, 30 d" "$sim_replay s" "365 d / 30 d = $(calc "%.2fx" "$n1_replay / ($sim_replay > 0 ? $sim_replay : 1e-9)") the time"
# The same 3-policy year written as the table and as JSON (every deletion listed), each into
# a file: JSON is written while it is produced, so it should cost no more memory than the table.
simulate "$bundle" "$dir/p3.ini" 2 -o "$dir/sim-table.txt"
t_total=$sim_total t_rss=$sim_rss_kb
simulate "$bundle" "$dir/p3.ini" 2 --format json -o "$dir/sim.json"
row "simulate 3 policies, text -o FILE" "$t_total s" "peak RSS $(calc "%.0f MB" "${t_rss:-0} * 1024 / 1e6")"
row "simulate 3 policies, json -o FILE" "$sim_total s" "peak RSS $(calc "%.0f MB" "${sim_rss_kb:-0} * 1024 / 1e6"), $(calc "%.0f MB" "$(stat -c %s "$dir/sim.json") / 1e6") of JSON; $(calc "%.2fx" "${sim_rss_kb:-0} / (${t_rss:-0} > 0 ? ${t_rss:-1} : 1)") the text run's memory"
# ---- event logs: reading speed, and what checking a million pulls adds to the replay ------------
ev_rows=1000000
[ -f "$dir/events-1m.json" ] || "$helper_ev" gen "$ev_rows" "$dir/events-1m.json" 1 >/dev/null
cat "$dir/events-1m.json" >/dev/null
"$helper_ev" read "$dir/events-1m.json" >"$dir/events.kv"
E=$dir/events.kv
row "event log read (az JSON, 1M rows)" "$(kv secs "$E") s" "$(kv mb_per_s "$E") MB/s, $(kv rows_per_s "$E") rows/s, $(kv bytes_per_event "$E") B/event, peak RSS $(calc "%.0f MB" "$(kv maxrss_kb "$E") * 1024 / 1e6")"
"$helper_ev" pulls "$bundle" "$ev_rows" "$dir/pulls-1m.json" >/dev/null
simulate "$bundle" "$dir/p3.ini" 2
base_replay=$sim_replay
simulate "$bundle" "$dir/p3.ini" 2 --events "$dir/pulls-1m.json"
row "replay 3 policies + 1M pulls checked" "$sim_replay s" "$(calc "%.2fx" "$sim_replay / ($base_replay > 0 ? $base_replay : 1e-9)") the same replay without them ($base_replay s); reading and resolving the pulls: ${sim_events:-?} s"
if [ "$scale" = large ]; then
  # growth from 100k to 1M manifests: the same pipeline on the medium bundle. Each side is the
  # best of several runs (3 and 2), as a run on a shared machine varies by 10-30%.
  small=$dir/synth-medium-seed$seed.json
  if [ ! -f "$small" ] || generator_newer "$small"; then "${gen[@]}" --scale medium --seed "$seed" -o "$small" 2>/dev/null; fi
  best_small=
  for _ in 1 2 3; do
    simulate "$small" "$dir/p1-nightly.ini" 1
    best_small=$(awk -v a="$sim_total" -v b="${best_small:-1e9}" 'BEGIN { print (a < b ? a : b) }')
  done
  simulate "$bundle" "$dir/p1-nightly.ini" 1
  best_large=$(awk -v a="$sim_total" -v b="$n1_total" 'BEGIN { print (a < b ? a : b) }')
  row "total, 1 policy: 100k -> 1M manifests" "$(calc "%.1fx" "$best_large / $best_small")" "$best_small s -> $best_large s (best of 3 and 2), ingest + replay + report, 1 thread (target: about 11x at most)"
fi
# ---- issue #15: the replay on the default mix and under heavy CI churn ----------------------------
# The same scale and seed as the default bundle, generated with --profile churn: a fifth of the
# repositories, each pushed daily, most manifests untagged. Per registry: three cold simulates of
# the 3 policies (each a new process; the file is in the page cache) on all cores, their phases
# from PURGESIM_TIMING, and with BENCH_NAIVE=1 the straightforward script on the same file. The
# rows are the run whose replay/ingest ratio is the median of the three (each ratio is within
# its own run: the machine is shared, and one run's ratio moves by a fifth with its neighbours);
# the three ratios are printed too.
churn=$dir/synth-$scale-churn-seed$seed.json
if [ -f "$churn" ] && ! generator_newer "$churn" &&
   head -c 600 "$churn" | grep -q "\"scale\": \"$scale\", \"seed\": $seed, \"days\": [0-9]*, \"profile\": \"churn\""; then
  churn_note="reused"
else
  t0=$(now)
  "${gen[@]}" --profile churn --scale "$scale" --seed "$seed" -o "$churn" --stats 2>"$dir/generate-churn.log"
  churn_note="written in $(calc "%.2f" "$(now) - $t0") s"
fi
cat "$churn" >/dev/null
# judge VALUE OP LIMIT: "met" or "NOT met"
judge() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? (v <= l) : (v >= l); print (ok ? "met" : "NOT met") }'; }
jobs=$(nproc)
for prof in default churn; do
  b=$bundle log=$dir/generate.log
  [ "$prof" = churn ] && b=$churn log=$dir/generate-churn.log
  # the generator's own counts, when this bundle's log is still there
  counts=$(sed -n 's/.*: \([0-9]* repositories, [0-9]* manifests\) .*/\1/p' "$log" 2>/dev/null | head -1)
  untagged=$(sed -n 's/.*untagged manifests [0-9]* (\([0-9.]*%\)).*/\1/p' "$log" 2>/dev/null | head -1)
  row "[$prof] bundle" "$(calc "%.1f MB" "$(stat -c %s "$b") / 1e6")" "${counts:-counts in the generate --stats log only}${untagged:+, $untagged untagged}$([ "$prof" = churn ] && echo "; $churn_note")"
  : >"$dir/sim-runs.txt"
  for rep in 1 2 3; do
    simulate "$b" "$dir/p3.ini" "$jobs"
    cp "$dir/sim.err" "$dir/sim-$rep.err"
    echo "$(calc "%.4f" "$sim_replay / ($sim_ingest > 0 ? $sim_ingest : 1e-9)") $rep $sim_ingest $sim_replay $sim_history $sim_total ${sim_rss_kb:-0}" >>"$dir/sim-runs.txt"
  done
  all_ratios=$(awk '{ printf "%s%.2fx", (NR > 1 ? ", " : ""), $1 }' "$dir/sim-runs.txt")
  read -r _ rep sim_ingest sim_replay sim_history sim_total sim_rss_kb < <(sort -n "$dir/sim-runs.txt" | sed -n 2p)
  ratio=$(calc "%.2f" "$sim_replay / ($sim_ingest > 0 ? $sim_ingest : 1e-9)")
  row "[$prof] ingest, in simulate" "$sim_ingest s" "$jobs threads; history build after it $sim_history s"
  row "[$prof] replay 3 policies, 365 d" "$sim_replay s" "${ratio}x the run's ingest, the median of 3 runs ($all_ratios; target: at most 0.4x: $(judge "$ratio" "<=" 0.4)); with the history build $(calc "%.2fx" "($sim_replay + $sim_history) / ($sim_ingest > 0 ? $sim_ingest : 1e-9)")"
  row "  (made of)" "" "$(awk '$1 == "timing" && $2 == "replay-setup" { printf "setup %s s wall; CPU:", $3 } $1 == "timing" && $2 == "policy-cpu" { printf " %s %s s,", $4, $3 }' "$dir/sim-$rep.err" | sed 's/,$//')"
  sim_cold=$(sort -n -k6 "$dir/sim-runs.txt" | sed -n 2p | awk '{ print $6 }')
  row "[$prof] cold simulate, 3 policies" "$sim_cold s" "the median of the 3 runs; one process: read, history, replay, table; peak RSS $(calc "%.0f MB" "${sim_rss_kb:-0} * 1024 / 1e6")"
  if [ "${BENCH_NAIVE:-}" = 1 ]; then
    t0=$(now)
    if [ -n "$TIMEV" ]; then
      $TIMEV -v python3 tests/tools/naive_replay.py "$b" >"$dir/naive-$prof.out" 2>"$dir/naive-$prof.err"
    else
      python3 tests/tools/naive_replay.py "$b" >"$dir/naive-$prof.out" 2>"$dir/naive-$prof.err"
    fi
    naive_wall=$(calc "%.2f" "$(now) - $t0")
    naive_rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/naive-$prof.err")
    parts=$(sed -n 's/^naive_seconds total=[0-9.]* load=\([0-9.]*\) prepare=\([0-9.]*\) replay=\([0-9.]*\)$/json.load \1 s, history \2 s, replay \3 s/p' "$dir/naive-$prof.out")
    nratio=$(calc "%.1f" "$naive_wall / ($sim_cold > 0 ? $sim_cold : 1e-9)")
    row "[$prof] naive script (python3)" "$naive_wall s" "$parts; peak RSS $(calc "%.0f MB" "${naive_rss:-0} * 1024 / 1e6")"
    row "[$prof] naive / cold simulate" "${nratio}x" "target: at least 30x: $(judge "$nratio" ">=" 30)"
  fi
done
# ---- issue #15: tune's default grid at 100k manifests -----------------------------------------
# All candidates (336, or 340 on Premium) replayed over the medium bundle's year on all cores,
# against one simulate of one nightly policy on the same bundle (both read the JSON).
med=$dir/synth-medium-seed$seed.json
if [ ! -f "$med" ] || generator_newer "$med"; then "${gen[@]}" --scale medium --seed "$seed" -o "$med" 2>/dev/null; fi
cat "$med" >/dev/null
simulate "$med" "$dir/p1-nightly.ini" "$jobs"
one=$sim_total
t0=$(now)
# without -q: tune says on stderr how long the replay took (no progress: stderr is a file)
if [ -n "$TIMEV" ]; then
  $TIMEV -v "$BIN" tune --no-cache -i "$med" --jobs "$jobs" >"$dir/tune.txt" 2>"$dir/tune.err"
else
  "$BIN" tune --no-cache -i "$med" --jobs "$jobs" >"$dir/tune.txt" 2>"$dir/tune.err"
fi
tune_wall=$(calc "%.2f" "$(now) - $t0")
tune_rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/tune.err")
replayed=$(sed -n 's/^\([0-9]*\) candidates replayed in \([0-9.]*\) s (\([0-9.]*\) per second).*/\1 candidates, replay \2 s: \3 per second/p' "$dir/tune.err")
row "tune, default grid, 100k manifests" "$tune_wall s" "${replayed:-see $dir/tune.err}; $jobs threads; peak RSS $(calc "%.0f MB" "${tune_rss:-0} * 1024 / 1e6")"
row "  against one simulate, 1 policy" "$(calc "%.1fx" "$tune_wall / ($one > 0 ? $one : 1e-9)")" "$one s for the one-policy simulate ($jobs threads)"
echo
