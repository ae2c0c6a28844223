#!/usr/bin/env bash
# Tests data/export-acr.sh with a stub az (tests/export/bin/az) that replays the recorded outputs
# in tests/export/recorded/ (registry testreg: hello-world with 2 manifests, team-x/api with an
# OCI index and its 2 children).  Prints "planned N" (PLANNED below: update it with the checks),
# then one line per check, "ok NAME" or "FAIL NAME" (details indented below a FAIL); exits 1
# when a check failed.
# Run from anywhere: bash tests/test-export.sh.  Needs bash and python3 (make deps).
# Env: BIN - purgesim binary (default ./purgesim), which reads the exported bundle.
# shellcheck disable=SC2012  # ls -A on directories of known, plain file names
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
ROOT=$PWD
PLANNED=41
echo "planned $PLANNED"
BIN=${BIN:-$ROOT/purgesim}
fails=0
EXPORTER=$ROOT/data/export-acr.sh
REC=$ROOT/tests/export/recorded
STUB=$ROOT/tests/export/bin
SH=${BASH:-bash}

T=$(mktemp -d "${TMPDIR:-/tmp}/test-export.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
export PATH="$STUB:$PATH" AZ_STUB_LOG="$T/az.log"
unset AZ_STUB_FAIL AZ_STUB_GARBAGE EXPORT_ACR_QUIET

ok() { echo "ok $1"; }
fail() {
  echo "FAIL $1"
  fails=$((fails + 1))
  shift
  local l
  for l in "$@"; do printf '    %s\n' "$l"; done
  if [ -s "$T/stderr" ]; then sed 's/^/    stderr: /' "$T/stderr" | head -20; fi
}
# check NAME COMMAND...: ok when COMMAND succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else fail "$n" "failed: $*"; fi; }

# export_run ARGS...: run the exporter; sets rc, leaves stdout/stderr in $T/stdout, $T/stderr
export_run() {
  rc=0
  "$SH" "$EXPORTER" "$@" >"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?
}

# dir_has_only DIR NAME...: DIR holds exactly these entries (dot files included)
dir_has_only() {
  local dir=$1; shift
  local want got
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  got=$(cd "$dir" && ls -A | sort)
  [ "$want" = "$got" ]
}

# The bundle checks, in Python: prints ok/FAIL lines itself.
cat >"$T/check.py" <<'EOF'
import datetime, json, os, re, sys

mode, path, rec, t0, t1 = sys.argv[1:6]
repos_expected = sys.argv[6].split(",") if len(sys.argv) > 6 and sys.argv[6] else []

def ok(name): print("ok " + name)
def fail(name, why): print("FAIL %s\n    %s" % (name, why))
def rec_json(p):
    with open(os.path.join(rec, p), encoding="utf-8") as f:
        return json.load(f)
def fname(repo): return repo.replace("/", "__")

try:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    b = json.loads(text)
except (OSError, ValueError) as e:
    fail("%s-valid-json" % mode, e)
    sys.exit(0)
ok("%s-valid-json" % mode)

def test(name, cond, why=""):
    if cond:
        ok(name)
    else:
        fail(name, why)

p = mode + "-"
test(p + "registry", b.get("registry") == "testreg.azurecr.io", "registry = %r" % b.get("registry"))
test(p + "sku", b.get("sku") == "Standard", "sku = %r" % b.get("sku"))
names = [r.get("name") for r in b.get("repositories", [])]
test(p + "repository-names", names == repos_expected, "names = %r, expected %r" % (names, repos_expected))

counts_ok, tags_ok, same_ok, why = True, True, True, []
for r in b.get("repositories", []):
    n = r.get("name")
    want_m = rec_json(fname(n) + ".manifests.json")
    want_t = rec_json(fname(n) + ".tags.json")
    if len(r.get("manifests", [])) != len(want_m):
        counts_ok = False
        why.append("%s: %d manifests, expected %d" % (n, len(r.get("manifests", [])), len(want_m)))
    got_tags = sorted(t.get("name") for t in r.get("tags", []))
    if got_tags != sorted(t["name"] for t in want_t):
        tags_ok = False
        why.append("%s: tags %r" % (n, got_tags))
    if r.get("manifests") != want_m or r.get("tags") != want_t:
        same_ok = False
        why.append("%s: manifests/tags differ from the az output" % n)
test(p + "manifest-counts", counts_ok and bool(names), "; ".join(why))
test(p + "tag-names", tags_ok and bool(names), "; ".join(why))
test(p + "az-output-kept-as-printed", same_ok, "; ".join(why))

ea = b.get("exportedAt", "")
rfc = re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)", ea or "")
test(p + "exportedAt-rfc3339", bool(rfc), "exportedAt = %r" % ea)
if rfc:
    t = datetime.datetime.strptime(ea[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    lo = datetime.datetime.fromtimestamp(int(t0) - 1, datetime.timezone.utc)
    hi = datetime.datetime.fromtimestamp(int(t1) + 1, datetime.timezone.utc)
    test(p + "exportedAt-is-start-time-utc", ea.endswith("Z") and lo <= t <= hi,
         "exportedAt %s not within [%s, %s]" % (ea, lo, hi))
test(p + "indented-2-spaces", text == json.dumps(b, indent=2) + "\n",
     "file is not json.dumps(indent=2) + newline")

if mode == "bodies":
    good, why = bool(names), []
    for r in b.get("repositories", []):
        bodies = r.get("bodies")
        digests = [m["digest"] for m in r.get("manifests", [])]
        if not isinstance(bodies, dict) or sorted(bodies) != sorted(digests):
            good = False
            why.append("%s: bodies keys %r" % (r.get("name"), sorted(bodies or {})))
            continue
        for d in digests:
            if bodies[d] != rec_json("bodies/%s.json" % d[7:]):
                good = False
                why.append("%s: body of %s differs" % (r.get("name"), d))
    test(p + "bodies-keyed-by-digest", good, "; ".join(why))
else:
    test(p + "no-bodies-without-flag", all("bodies" not in r for r in b.get("repositories", [])),
         "bodies present")
EOF
# check_bundle MODE ARGS...: the Python checks; their FAIL lines count as failures here too
check_bundle() {
  local out n
  out=$(python3 "$T/check.py" "$@" 2>&1) || fail "$1-checker" "check.py crashed"
  printf '%s\n' "$out"
  n=$(printf '%s\n' "$out" | grep -c '^FAIL ')
  fails=$((fails + n))
}

# --- --help and usage errors ----------------------------------------------------------------
export_run --help
if [ "$rc" -eq 0 ] && grep -q '^usage: export-acr.sh' "$T/stdout"; then ok help; else fail help "rc=$rc"; fi
export_run -o "$T/x.json"
if [ "$rc" -ne 0 ] && [ ! -e "$T/x.json" ] && grep -q 'REGISTRY' "$T/stderr"; then ok missing-registry-is-error
else fail missing-registry-is-error "rc=$rc"; fi
export_run -r testreg --frobnicate
if [ "$rc" -ne 0 ] && grep -q 'frobnicate' "$T/stderr"; then ok unknown-option-is-error
else fail unknown-option-is-error "rc=$rc"; fi

# --- plain export -------------------------------------------------------------------------------
mkdir -p "$T/plain"
: >"$AZ_STUB_LOG"
t0=$(date -u +%s)
export_run -r testreg -o "$T/plain/bundle.json"
t1=$(date -u +%s)
if [ "$rc" -eq 0 ] && [ -f "$T/plain/bundle.json" ]; then
  ok export-succeeds
  check_bundle plain "$T/plain/bundle.json" "$REC" "$t0" "$t1" "hello-world,team-x/api"
else
  fail export-succeeds "rc=$rc"
fi
check no-temp-files-left dir_has_only "$T/plain" bundle.json
if grep -qx 'az acr manifest list-metadata -r testreg -n team-x/api -o json' "$AZ_STUB_LOG" &&
   grep -qx 'az acr repository show-tags -n testreg --repository team-x/api --detail -o json' "$AZ_STUB_LOG" &&
   grep -qx 'az acr show -n testreg --query loginServer -o tsv' "$AZ_STUB_LOG" &&
   grep -qx 'az acr show -n testreg --query sku.name -o tsv' "$AZ_STUB_LOG" &&
   ! grep -q 'manifest show' "$AZ_STUB_LOG"; then
  ok az-commands-as-documented
else
  fail az-commands-as-documented "calls were:" "$(cat "$AZ_STUB_LOG")"
fi

# --- --bodies ------------------------------------------------------------------------------------
mkdir -p "$T/bodies"
: >"$AZ_STUB_LOG"
t0=$(date -u +%s)
export_run -r testreg -o "$T/bodies/bundle.json" --bodies
t1=$(date -u +%s)
if [ "$rc" -eq 0 ] && [ -f "$T/bodies/bundle.json" ]; then
  ok bodies-export-succeeds
  check_bundle bodies "$T/bodies/bundle.json" "$REC" "$t0" "$t1" "hello-world,team-x/api"
else
  fail bodies-export-succeeds "rc=$rc"
fi
n=$(grep -c '^az acr manifest show -r testreg -n .*@sha256:[0-9a-f]\{64\} -o json$' "$AZ_STUB_LOG")
if [ "$n" -eq 5 ]; then ok bodies-one-show-per-manifest; else fail bodies-one-show-per-manifest "$n manifest show calls"; fi

# --- --repos ------------------------------------------------------------------------------------
mkdir -p "$T/repos"
export_run -r testreg -o "$T/repos/bundle.json" --repos 'team-x/.*'
got=$(python3 -c 'import json,sys; print(",".join(r["name"] for r in json.load(open(sys.argv[1]))["repositories"]))' \
  "$T/repos/bundle.json" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$got" = "team-x/api" ]; then ok repos-filter; else fail repos-filter "rc=$rc repositories=$got"; fi
export_run -r testreg -o "$T/repos/anchored.json" --repos 'team'
got=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["repositories"]))' \
  "$T/repos/anchored.json" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$got" = 0 ]; then ok repos-filter-is-anchored; else fail repos-filter-is-anchored "rc=$rc count=$got"; fi
: >"$AZ_STUB_LOG"
export_run -r testreg -o "$T/repos/bad.json" --repos '(unclosed'
if [ "$rc" -ne 0 ] && [ ! -e "$T/repos/bad.json" ] && [ ! -s "$AZ_STUB_LOG" ]; then ok repos-bad-regex-fails-early
else fail repos-bad-regex-fails-early "rc=$rc" "$(cat "$AZ_STUB_LOG")"; fi

# --- failures leave no output -------------------------------------------------------------------
# expect_failure NAME TEXT-IN-STDERR EXPORTER-ARGS... (output goes to $T/f/bundle.json)
expect_failure() {
  local name=$1 text=$2
  shift 2
  rm -rf "$T/f"
  mkdir -p "$T/f"
  export_run -r testreg -o "$T/f/bundle.json" "$@"
  if [ "$rc" -ne 0 ] && dir_has_only "$T/f" && grep -qF -- "$text" "$T/stderr"; then ok "$name"
  else fail "$name" "rc=$rc, stderr should name: $text, files: $(ls -A "$T/f" | tr '\n' ' ')"; fi
}
AZ_STUB_FAIL='acr show -n testreg --query loginServer' \
  expect_failure az-fails-first-call 'az acr show -n testreg --query loginServer -o tsv'
AZ_STUB_FAIL='show-tags -n testreg --repository team-x/api' \
  expect_failure az-fails-midway-no-output 'az acr repository show-tags -n testreg --repository team-x/api --detail -o json'
AZ_STUB_FAIL='manifest show -r testreg -n team-x/api@' \
  expect_failure az-fails-on-body-no-output 'az acr manifest show -r testreg -n team-x/api@sha256:' --bodies
AZ_STUB_GARBAGE='list-metadata -r testreg -n hello-world' \
  expect_failure invalid-json-from-az-no-output 'az acr manifest list-metadata -r testreg -n hello-world -o json'
expect_failure unknown-registry-fails 'az acr show -n nosuchreg' -r nosuchreg

# A failed export keeps an existing output file as it was.
rm -rf "$T/keep"; mkdir -p "$T/keep"
printf 'previous export\n' >"$T/keep/bundle.json"
AZ_STUB_FAIL='list-metadata -r testreg -n team-x/api' export_run -r testreg -o "$T/keep/bundle.json"
if [ "$rc" -ne 0 ] && [ "$(cat "$T/keep/bundle.json" 2>/dev/null)" = "previous export" ] && dir_has_only "$T/keep" bundle.json
then ok failure-keeps-existing-output; else fail failure-keeps-existing-output "rc=$rc"; fi

# Without az on PATH: a clear error. The PATH holds every command of the system's but az.
mkdir -p "$T/noaz-bin"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
  [ -d "$d" ] && ln -s "$d"/* "$T/noaz-bin/" 2>/dev/null
done
rm -f "$T/noaz-bin/az"
rm -rf "$T/noaz"; mkdir -p "$T/noaz"
rc=0
PATH=$T/noaz-bin "$SH" "$EXPORTER" -r testreg -o "$T/noaz/bundle.json" >"$T/stdout" 2>"$T/stderr" || rc=$?
if [ "$rc" -ne 0 ] && grep -q "'az' was not found" "$T/stderr" && dir_has_only "$T/noaz"; then ok missing-az-is-error
else fail missing-az-is-error "rc=$rc"; fi

# --- the bundle through purgesim ----------------------------------------------------------------
rc=0
if [ ! -x "$BIN" ]; then
  fail purgesim-dry-run-reads-export "no executable $BIN (build it, or set BIN)"
elif [ ! -f "$T/plain/bundle.json" ]; then
  fail purgesim-dry-run-reads-export "no bundle from the plain export"
else
  "$BIN" dry-run -i "$T/plain/bundle.json" --format json -- acr purge --filter '.*:.*' --ago 0d \
    >"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?
  if [ "$rc" -eq 0 ]; then ok purgesim-dry-run-reads-export; else fail purgesim-dry-run-reads-export "rc=$rc"; fi
fi
[ "$fails" -eq 0 ]
