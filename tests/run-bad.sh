#!/usr/bin/env bash
# Runs the bad-input corpus (tests/bad) and prints "ok bad/NAME" or "FAIL bad/NAME" per case.
#
# A case is tests/bad/NAME.expect: line 1 the expected exit code, line 2 onward the exact
# expected stderr (all of it). The input is tests/bad/NAME.json, or the export directory
# tests/bad/NAME/ when that exists. Default invocation, from the repository root:
#   $BIN dry-run -i tests/bad/NAME.json --format json -- acr purge --filter '.*:.*' --ago 0d
# tests/bad/NAME.args, when present, replaces every argument after $BIN with its one line
# (shell words; quote as in a shell).
# gen-NAME cases have their input written at run time into a temp dir by gen_input below
# (inputs too big to commit); the temp dir appears as GEN in their .expect files.
#
# Checks: exit code, stderr byte for byte, no sanitizer report, and for a failing run (exit
# != 0) in json/text format an empty stdout. A run that fails as acr purge fails (exit 4)
# still prints its report, as acr purge does; there stdout must be one complete JSON
# document with "failed": true.
#
# Env: BIN (default ./purgesim, relative to the repository root), UPDATE=1 rewrites the
# .expect files from the actual results (review the diff), CASE=GLOB runs only matching cases,
# VERBOSE=1 shows each case's run time and a count at the end.
# Prints "planned N" (the matching .expect files) first. Exit status 0 when all pass. Needs jq
# (make deps installs it) to check the reports on stdout: without it every case fails.
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ -f tests/lsan.supp ]; then export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp}; fi
BIN=${BIN:-./purgesim}
case "$BIN" in */*) ;; *) BIN=./$BIN ;; esac
UPDATE=${UPDATE:-}
CASE=${CASE:-*}
TIME_LIMIT=${TIME_LIMIT:-20}   # seconds; a hang is a failure (normal cases take milliseconds)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/purgesim-bad.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
gen=$tmp/gen
mkdir -p "$gen"

# Writes the input of a generated case to $2; returns 1 for an unknown case.
gen_input()
{
    local name=$1 out=$2
    local d64=sha256:1111111111111111111111111111111111111111111111111111111111111111
    case "$name" in
    gen-deep-nesting)            # 10,000 '[' inside the manifests array
        { printf '{"repositories": [{"name": "app", "manifests": ['
          head -c 10000 /dev/zero | tr '\0' '['
          head -c 10000 /dev/zero | tr '\0' ']'
          printf ']}]}\n'; } >"$out" ;;
    gen-deep-nesting-top)        # a raw array nested 10,000 deep, unterminated
        head -c 10000 /dev/zero | tr '\0' '[' >"$out" ;;
    gen-deep-nesting-unknown)    # 10,000 deep objects under an unknown top-level key
        { printf '{"extra": '
          yes '{"a":' | head -n 10000 | tr -d '\n'
          printf '1'
          head -c 10000 /dev/zero | tr '\0' '}'
          printf '}\n'; } >"$out" ;;
    gen-huge-string)             # a 100 MB string as a manifest's mediaType
        { printf '{"exportedAt": "2026-11-01T00:00:00Z", "repositories": [{"name": "app", "manifests": [\n{"digest": "%s", "mediaType": "' "$d64"
          head -c 100000000 /dev/zero | tr '\0' 'a'
          printf '"}]}]}\n'; } >"$out" ;;
    gen-huge-string-unknown)     # a 100 MB string under an unknown top-level key
        { printf '{"exportedAt": "2026-11-01T00:00:00Z",\n "comment": "'
          head -c 100000000 /dev/zero | tr '\0' 'a'
          printf '",\n "repositories": []}\n'; } >"$out" ;;
    gen-huge-key-ok)             # a 100 MB object key: an unknown field, skipped unread
        { printf '{"exportedAt": "2026-11-01T00:00:00Z", "repositories": [],\n "'
          head -c 100000000 /dev/zero | tr '\0' 'k'
          printf '": 1}\n'; } >"$out" ;;
    gen-big-string-ok)           # a 1 MB unknown string field is data, not an error
        { printf '{"exportedAt": "2026-11-01T00:00:00Z", "repositories": [{"name": "app", "manifests": [{"digest": "%s", "imageSize": 1, "note": "' "$d64"
          head -c 1000000 /dev/zero | tr '\0' 'a'
          printf '"}]}]}\n'; } >"$out" ;;
    *) return 1 ;;
    esac
}

# Sets the array ARGS to the arguments of case $1 (input $2).
case_args()
{
    local name=$1 input=$2
    if [ -f "tests/bad/$name.args" ]; then
        local line
        IFS= read -r line <"tests/bad/$name.args"
        eval "ARGS=($line)"
    else
        ARGS=(dry-run -i "$input" --format json -- acr purge --filter '.*:.*' --ago 0d)
    fi
}

cases=()
for exp in tests/bad/$CASE.expect; do
    [ -f "$exp" ] && cases+=("$exp")
done
# an input or .args without its .expect is a case that would never run: it fails
declare -A orphan=()
for f in tests/bad/$CASE; do
    n=$(basename "$f")
    [ -d "$f" ] || n=${n%.*}
    [ -e "$f" ] && [ ! -f "tests/bad/$n.expect" ] && orphan[$n]=1
done
echo "planned $((${#cases[@]} + ${#orphan[@]}))"
pass=0 fail=0
if [ ! -x "$BIN" ]; then
    echo "FAIL bad/(all): no executable $BIN (build it with make, or set BIN)"
    exit 1
fi
if ! command -v jq >/dev/null; then
    echo "FAIL bad/(all): jq is not installed (make deps installs it); it checks the reports on stdout"
    exit 1
fi
for n in "${!orphan[@]}"; do
    echo "FAIL bad/$n"
    echo "  tests/bad/$n.* has no tests/bad/$n.expect"
    fail=$((fail + 1))
done
for exp in "${cases[@]}"; do
    name=$(basename "$exp" .expect)
    input=tests/bad/$name.json
    [ -d "tests/bad/$name" ] && input=tests/bad/$name
    if [ "${name#gen-}" != "$name" ]; then
        input=$gen/$name.json
        if ! gen_input "$name" "$input"; then
            echo "FAIL bad/$name"
            echo "  no generator for $name in run-bad.sh"
            fail=$((fail + 1))
            continue
        fi
    fi
    case_args "$name" "$input"
    start=$(date +%s%N)
    timeout "$TIME_LIMIT" "$BIN" "${ARGS[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    rm -f "$gen/$name.json"
    # generated inputs live in a temp dir; their expectations name it GEN
    sed -i "s|$gen/|GEN/|g" "$tmp/err"
    { echo "$rc"; cat "$tmp/err"; } >"$tmp/actual"

    why=""
    if [ -n "$UPDATE" ]; then
        cmp -s "$tmp/actual" "$exp" || cp "$tmp/actual" "$exp"
    elif ! cmp -s "$tmp/actual" "$exp"; then
        why="exit code or stderr differs (- expected, + actual)"
    fi
    if [ "$rc" -eq 124 ]; then why="timed out after ${TIME_LIMIT}s"; fi
    if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$tmp/err"; then why="sanitizer report"; fi
    format=text   # purgesim's default
    for ((k = 0; k < ${#ARGS[@]}; k++)); do
        [ "${ARGS[k]}" = "--" ] && break
        [ "${ARGS[k]}" = "--format" ] && format=${ARGS[k + 1]:-}
    done
    if [ -z "$why" ] && [ "$rc" -ne 0 ] && [ "$format" != acr ]; then
        if [ "$rc" -eq 4 ]; then
            if [ "$format" = json ] &&
               ! jq -e '.failed == true' "$tmp/out" >/dev/null 2>&1; then
                why="exit 4 but stdout is not a complete JSON report with \"failed\": true"
            fi
        elif [ -s "$tmp/out" ]; then
            why="failed (exit $rc) but wrote to stdout"
        fi
    fi
    if [ -z "$why" ] && [ "$rc" -eq 0 ] && [ "$format" = json ] &&
       ! jq -e . "$tmp/out" >/dev/null 2>&1; then
        why="exit 0 but stdout is not one JSON document"
    fi

    if [ -z "$why" ]; then
        if [ -n "${VERBOSE:-}" ]; then echo "ok bad/$name ($ms ms)"; else echo "ok bad/$name"; fi
        pass=$((pass + 1))
    else
        echo "FAIL bad/$name"
        echo "  $why (${ms} ms)"
        diff -u "$exp" "$tmp/actual" | sed -n '3,$p' | head -20 | sed 's/^/  /'
        head -c 600 "$tmp/out" | head -5 | sed 's/^/  stdout: /'
        fail=$((fail + 1))
    fi
done
[ -n "${VERBOSE:-}" ] && echo "run-bad: $pass ok, $fail failed"
[ "$fail" -eq 0 ]
