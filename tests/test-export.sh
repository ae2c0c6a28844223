#!/usr/bin/env bash
# Tests data/export-acr.sh with a stub az and a stub curl (tests/export/bin/) that replay the
# recorded outputs in tests/export/recorded/ (registry testreg, Standard or Premium: its az acr
# show, one purge task, retention, soft delete and replications; repositories hello-world with
# 2 manifests, team-x/api with an OCI index and its 2 children, and the empty zeta).  Covers
# the setup keys, parallel runs (-j 1 and -j 4 give the same bytes), retries of transient
# failures, a failure halfway and the resume, and --bodies over the REST path (curl, with a
# token that expires).  Prints "planned N" (PLANNED below: update it with the checks), then one
# line per check, "ok NAME" or "FAIL NAME" (details indented below a FAIL); exits 1 when a
# check failed.
# Run from anywhere: bash tests/test-export.sh.  Needs bash and python3 (make deps).
# Env: BIN - purgesim binary (default ./purgesim), which reads the exported bundles.
# shellcheck disable=SC2012  # ls -A on directories of known, plain file names
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
ROOT=$PWD
PLANNED=98
echo "planned $PLANNED"
BIN=${BIN:-$ROOT/purgesim}
fails=0
EXPORTER=$ROOT/data/export-acr.sh
REC=$ROOT/tests/export/recorded
STUB=$ROOT/tests/export/bin
SH=${BASH:-bash}
NOW=2026-11-01T00:00:00Z

T=$(mktemp -d "${TMPDIR:-/tmp}/test-export.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
export PATH="$STUB:$PATH" AZ_STUB_LOG="$T/az.log" AZ_STUB_STATE="$T/state" EXPORT_ACR_RETRY_DELAY=0.01
unset AZ_STUB_FAIL AZ_STUB_GARBAGE AZ_STUB_TRANSIENT AZ_STUB_TRANSIENT_TIMES AZ_STUB_SKU \
  AZ_STUB_DELAY AZ_STUB_RECORDED CURL_STUB_TOKEN1_USES CURL_STUB_TRANSIENT CURL_STUB_FAIL \
  EXPORT_ACR_NOW

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

# fresh: empty call log and stub counters
fresh() { : >"$AZ_STUB_LOG"; rm -rf "$AZ_STUB_STATE"; mkdir -p "$AZ_STUB_STATE"; }

# export_run ARGS...: run the exporter; sets rc, leaves stdout/stderr in $T/stdout, $T/stderr
export_run() {
  rc=0
  "$SH" "$EXPORTER" "$@" >"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?
}

# calls PATTERN: how many logged calls match the extended regular expression
calls() { grep -Ec -- "$1" "$AZ_STUB_LOG"; }

# dir_has_only DIR NAME...: DIR holds exactly these entries (dot files included)
dir_has_only() {
  local dir=$1; shift
  local want got
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  got=$(cd "$dir" && ls -A | sort)
  [ "$want" = "$got" ]
}

# The bundle checks, in Python: prints ok/FAIL lines itself.
cat >"$T/check.py" <<'PYEOF'
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
if t0 == "fixed":
    test(p + "exportedAt-from-env", ea == t1, "exportedAt %s, EXPORT_ACR_NOW %s" % (ea, t1))
elif rfc:
    t = datetime.datetime.strptime(ea[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    lo = datetime.datetime.fromtimestamp(int(t0) - 1, datetime.timezone.utc)
    hi = datetime.datetime.fromtimestamp(int(t1) + 1, datetime.timezone.utc)
    test(p + "exportedAt-is-start-time-utc", ea.endswith("Z") and lo <= t <= hi,
         "exportedAt %s not within [%s, %s]" % (ea, lo, hi))
else:
    fail(p + "exportedAt-is-start-time-utc", "unreadable")
test(p + "indented-2-spaces", text == json.dumps(b, indent=2) + "\n",
     "file is not json.dumps(indent=2) + newline")

if mode.startswith("bodies"):
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
PYEOF
# check_bundle MODE ARGS...: the Python checks; their FAIL lines count as failures here too
check_bundle() {
  local out n
  out=$(python3 "$T/check.py" "$@" 2>&1) || fail "$1-checker" "check.py crashed"
  printf '%s\n' "$out"
  n=$(printf '%s\n' "$out" | grep -c '^FAIL ')
  fails=$((fails + n))
}

# The setup keys: setup.py BUNDLE PREMIUM(0/1) prints nothing and exits 0 when they are right.
cat >"$T/setup.py" <<'PYEOF'
import json, os, sys
path, premium, rec = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
def r(p):
    with open(os.path.join(rec, p), encoding="utf-8") as f:
        return json.load(f)
b = json.load(open(path, encoding="utf-8"))
errs = []
want = [("registry", None), ("exportedAt", None), ("sku", None),
        ("acrShow", r("premium/acr-show.json" if premium else "acr-show.json")),
        ("tasks", r("tasks.json"))]
if premium:
    want.append(("retentionPolicy", r("premium/retention.json")))
want.append(("softDeletePolicy", r("softdelete.json")))
if premium:
    want.append(("replications", r("premium/replications.json")))
want.append(("repositories", None))
if list(b) != [k for k, _ in want]:
    errs.append("keys %s, expected %s" % (list(b), [k for k, _ in want]))
for k, v in want:
    if v is not None and b.get(k) != v:
        errs.append("%s differs from the recorded az output" % k)
if b.get("sku") != ("Premium" if premium else "Standard"):
    errs.append("sku %r" % b.get("sku"))
print("; ".join(errs))
sys.exit(1 if errs else 0)
PYEOF
# setup_keys NAME BUNDLE PREMIUM
setup_keys() {
  local why
  if why=$(python3 "$T/setup.py" "$2" "$3" "$REC" 2>&1); then ok "$1"; else fail "$1" "$why"; fi
}
# same NAME FILE1 FILE2: the two bundles are byte for byte the same
same() {
  if [ -f "$2" ] && [ -f "$3" ] && cmp -s "$2" "$3"; then ok "$1"
  else fail "$1" "$2 and $3 differ (or one is missing)"; fi
}

# --- --help and usage errors ----------------------------------------------------------------
export_run --help
if [ "$rc" -eq 0 ] && grep -q '^usage: export-acr.sh' "$T/stdout" && grep -q -- '--restart' "$T/stdout" &&
   grep -q -- '-j, --jobs N' "$T/stdout"; then ok help; else fail help "rc=$rc"; fi
export_run -o "$T/x.json"
if [ "$rc" -ne 0 ] && [ ! -e "$T/x.json" ] && grep -q 'REGISTRY' "$T/stderr"; then ok missing-registry-is-error
else fail missing-registry-is-error "rc=$rc"; fi
export_run -r testreg --frobnicate
if [ "$rc" -ne 0 ] && grep -q 'frobnicate' "$T/stderr"; then ok unknown-option-is-error
else fail unknown-option-is-error "rc=$rc"; fi
fresh
export_run -r testreg -o "$T/x.json" -j 0
if [ "$rc" -eq 2 ] && [ ! -e "$T/x.json" ] && [ ! -s "$AZ_STUB_LOG" ]; then ok bad-jobs-is-usage-error
else fail bad-jobs-is-usage-error "rc=$rc"; fi

# --- plain export (Standard: no retention policy, no replications) -----------------------------
mkdir -p "$T/plain"
fresh
t0=$(date -u +%s)
export_run -r testreg -o "$T/plain/bundle.json"
t1=$(date -u +%s)
if [ "$rc" -eq 0 ] && [ -f "$T/plain/bundle.json" ]; then
  ok export-succeeds
  check_bundle plain "$T/plain/bundle.json" "$REC" "$t0" "$t1" "hello-world,team-x/api,zeta"
else
  fail export-succeeds "rc=$rc"
fi
check no-temp-files-left dir_has_only "$T/plain" bundle.json
if grep -qx 'az acr manifest list-metadata -r testreg -n team-x/api -o json' "$AZ_STUB_LOG" &&
   grep -qx 'az acr repository show-tags -n testreg --repository team-x/api --detail -o json' "$AZ_STUB_LOG" &&
   grep -qx 'az acr show -n testreg -o json' "$AZ_STUB_LOG" &&
   grep -qx 'az acr task list -r testreg -o json' "$AZ_STUB_LOG" &&
   grep -qx 'az acr config retention show -r testreg -o json' "$AZ_STUB_LOG" &&
   grep -qx 'az acr config soft-delete show -r testreg -o json' "$AZ_STUB_LOG" &&
   grep -qx 'az acr replication list -r testreg -o json' "$AZ_STUB_LOG" &&
   [ "$(calls '^az acr manifest list-metadata ')" -eq 3 ] && [ "$(calls '^az acr show ')" -eq 1 ] &&
   ! grep -q -e 'manifest show' -e '^curl' -e 'acr login' "$AZ_STUB_LOG"; then
  ok az-commands-as-documented
else
  fail az-commands-as-documented "calls were:" "$(cat "$AZ_STUB_LOG")"
fi
setup_keys setup-keys-standard-verbatim "$T/plain/bundle.json" 0
if grep -q '"retentionPolicy" left out of the bundle: .*Premium' "$T/stderr" &&
   grep -q '"replications" left out of the bundle: .*Premium' "$T/stderr"; then ok setup-omissions-reported
else fail setup-omissions-reported "stderr does not say retentionPolicy and replications were left out"; fi
if grep -Eq '^export-acr.sh: [0-9]+/3 repositories \([0-9]+\.[0-9]%\), [0-9]+ failed retries$' "$T/stderr" &&
   grep -q '^export-acr.sh: 3/3 repositories (100.0%), 0 failed retries$' "$T/stderr" &&
   grep -q '^export-acr.sh: wrote .*: 3 repositories, 0 failed retries' "$T/stderr"; then ok progress-and-summary
else fail progress-and-summary "no progress lines or summary"; fi

# progress lines come at most once a second: a slow registry (0.4 s a call, one at a time)
fresh
s0=$(date +%s%N)
AZ_STUB_DELAY=0.4 export_run -r testreg -o "$T/plain/slow.json" -j 1
s1=$(date +%s%N)
n=$(grep -c ' repositories (' "$T/stderr")
secs=$(((s1 - s0) / 1000000000))
if [ "$rc" -eq 0 ] && [ "$n" -ge 2 ] && [ "$n" -le $((secs + 1)) ]; then ok progress-at-most-once-a-second
else fail progress-at-most-once-a-second "rc=$rc, $n progress lines in $secs s"; fi
rm -f "$T/plain/slow.json"

# --- Premium: every setup key; -q -------------------------------------------------------------
mkdir -p "$T/prem"
fresh
AZ_STUB_SKU=Premium EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/prem/bundle.json" -q
if [ "$rc" -eq 0 ]; then ok premium-export-succeeds; else fail premium-export-succeeds "rc=$rc"; fi
setup_keys setup-keys-premium-verbatim "$T/prem/bundle.json" 1
if [ ! -s "$T/stderr" ]; then ok quiet-prints-nothing; else fail quiet-prints-nothing "stderr not empty"; fi

# --- parallel runs: the bytes do not depend on -j ---------------------------------------------
mkdir -p "$T/par"
for j in 1 4; do
  fresh
  EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/par/j$j.json" -j "$j" -q
  if [ "$rc" -eq 0 ]; then ok "jobs-$j-succeeds"; else fail "jobs-$j-succeeds" "rc=$rc"; fi
done
same jobs-1-and-4-identical "$T/par/j1.json" "$T/par/j4.json"
check_bundle fixed "$T/par/j4.json" "$REC" fixed "$NOW" "hello-world,team-x/api,zeta"
fresh
EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/par/j4-3.json" --jobs=3 -q
same jobs-3-identical-too "$T/par/j1.json" "$T/par/j4-3.json"

# --- retries -------------------------------------------------------------------------------------
mkdir -p "$T/retry"
fresh
AZ_STUB_TRANSIENT='list-metadata -r testreg -n team-x/api' EXPORT_ACR_NOW=$NOW \
  export_run -r testreg -o "$T/retry/bundle.json"
n=$(calls '^az acr manifest list-metadata -r testreg -n team-x/api ')
if [ "$rc" -eq 0 ] && [ "$n" -eq 2 ] && grep -q 'retry 1 of 3 (transient failure)' "$T/stderr" &&
   grep -q '1 failed retries' "$T/stderr"; then ok transient-failure-retried
else fail transient-failure-retried "rc=$rc, $n list-metadata calls for team-x/api"; fi
same transient-retry-same-bundle "$T/par/j1.json" "$T/retry/bundle.json"
fresh
AZ_STUB_TRANSIENT='acr task list' EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/retry/setup.json" -q
if [ "$rc" -eq 0 ] && [ "$(calls '^az acr task list ')" -eq 2 ]; then ok transient-setup-call-retried
else fail transient-setup-call-retried "rc=$rc"; fi
rm -rf "$T/retry2"; mkdir -p "$T/retry2"
fresh
AZ_STUB_TRANSIENT='list-metadata -r testreg -n team-x/api' AZ_STUB_TRANSIENT_TIMES=10 \
  export_run -r testreg -o "$T/retry2/bundle.json" -j 1
n=$(calls '^az acr manifest list-metadata -r testreg -n team-x/api ')
if [ "$rc" -eq 1 ] && [ "$n" -eq 4 ] && [ ! -e "$T/retry2/bundle.json" ]; then ok transient-gives-up-after-3-retries
else fail transient-gives-up-after-3-retries "rc=$rc, $n calls (expected 1 + 3 retries)"; fi
rm -rf "$T/retry2"; mkdir -p "$T/retry2"
fresh
AZ_STUB_FAIL='list-metadata -r testreg -n team-x/api' export_run -r testreg -o "$T/retry2/bundle.json" -j 1
n=$(calls '^az acr manifest list-metadata -r testreg -n team-x/api ')
if [ "$rc" -eq 1 ] && [ "$n" -eq 1 ] && ! grep -q 'retry [0-9] of 3' "$T/stderr"; then ok other-failure-not-retried
else fail other-failure-not-retried "rc=$rc, $n calls"; fi

# --- a failure halfway, then the resume -----------------------------------------------------
mkdir -p "$T/res"
fresh
AZ_STUB_FAIL='show-tags -n testreg --repository team-x/api' EXPORT_ACR_NOW=$NOW \
  export_run -r testreg -o "$T/res/bundle.json" -j 1
if [ "$rc" -eq 1 ] && [ ! -e "$T/res/bundle.json" ] && [ -d "$T/res/bundle.json.partial" ] &&
   dir_has_only "$T/res" bundle.json.partial &&
   [ "$(ls "$T/res/bundle.json.partial/repos" | wc -l)" -eq 1 ] &&
   grep -q 'run the same command again to resume' "$T/stderr"; then ok failure-halfway-keeps-work-dir
else fail failure-halfway-keeps-work-dir "rc=$rc, files: $(ls -A "$T/res" | tr '\n' ' ')"; fi
if [ "$(calls 'repository list')" -eq 1 ] && [ "$(calls ' -n zeta | --repository zeta ')" -eq 0 ]; then
  ok failure-stops-new-work
else fail failure-stops-new-work "calls were:" "$(cat "$AZ_STUB_LOG")"; fi
fresh
export_run -r testreg -o "$T/res/bundle.json" -j 1
if [ "$rc" -eq 0 ] && [ "$(calls 'hello-world')" -eq 0 ] &&
   [ "$(calls '^az acr manifest list-metadata -r testreg -n (team-x/api|zeta) ')" -eq 2 ] &&
   [ "$(calls '^az acr repository show-tags -n testreg --repository (team-x/api|zeta) ')" -eq 2 ]; then
  ok resume-fetches-only-missing
else fail resume-fetches-only-missing "rc=$rc, calls were:" "$(cat "$AZ_STUB_LOG")"; fi
if grep -q 'resumed 1 of 3 repositories' "$T/stderr" && grep -q '3 repositories (1 resumed)' "$T/stderr"
then ok resume-says-how-many; else fail resume-says-how-many "stderr does not say"; fi
same resume-same-bundle-as-one-run "$T/par/j1.json" "$T/res/bundle.json"
check resume-removes-work-dir dir_has_only "$T/res" bundle.json

# other arguments refuse the old work directory; --restart ignores it
rm -rf "$T/res2"; mkdir -p "$T/res2"
fresh
AZ_STUB_FAIL='show-tags -n testreg --repository team-x/api' export_run -r testreg -o "$T/res2/bundle.json" -j 1
fresh
export_run -r testreg -o "$T/res2/bundle.json" --repos 'hello.*'
if [ "$rc" -eq 1 ] && grep -q 'other arguments' "$T/stderr" && [ -d "$T/res2/bundle.json.partial" ] &&
   [ ! -e "$T/res2/bundle.json" ]; then ok resume-other-arguments-refused
else fail resume-other-arguments-refused "rc=$rc"; fi
fresh
EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/res2/bundle.json" --restart -q
if [ "$rc" -eq 0 ] && [ "$(calls '^az acr manifest list-metadata ')" -eq 3 ] &&
   dir_has_only "$T/res2" bundle.json; then ok restart-starts-over
else fail restart-starts-over "rc=$rc"; fi

# -o -: the bundle on standard output, never a file "-". A failure keeps the default output's
# work directory (testreg.json.partial) in the current directory and prints nothing; the same
# command resumes from it, prints the bundle -o FILE writes, and leaves nothing behind
rm -rf "$T/dash"; mkdir -p "$T/dash"
cd "$T/dash" || exit 1
fresh
AZ_STUB_FAIL='show-tags -n testreg --repository team-x/api' EXPORT_ACR_NOW=$NOW export_run -r testreg -o - -j 1
if [ "$rc" -eq 1 ] && [ ! -s "$T/stdout" ] && dir_has_only "$T/dash" testreg.json.partial; then
  ok dash-failure-keeps-default-work-dir
else fail dash-failure-keeps-default-work-dir "rc=$rc, files: $(ls -A "$T/dash" | tr '\n' ' ')"; fi
fresh
export_run -r testreg --output=- -j 1
cd "$ROOT" || exit 1
if [ "$rc" -eq 0 ] && [ -s "$T/stdout" ] && cmp -s "$T/stdout" "$T/par/j1.json" && dir_has_only "$T/dash" &&
   grep -q 'wrote standard output: 3 repositories (1 resumed)' "$T/stderr"; then ok dash-is-stdout-and-resumes
else fail dash-is-stdout-and-resumes "rc=$rc, $(wc -c <"$T/stdout") bytes, files: $(ls -A "$T/dash" | tr '\n' ' ')"; fi

# --- --bodies over the REST API -------------------------------------------------------------------
mkdir -p "$T/bodies"
fresh
t0=$(date -u +%s)
export_run -r testreg -o "$T/bodies/bundle.json" --bodies
t1=$(date -u +%s)
if [ "$rc" -eq 0 ] && [ -f "$T/bodies/bundle.json" ]; then
  ok bodies-export-succeeds
  check_bundle bodies "$T/bodies/bundle.json" "$REC" "$t0" "$t1" "hello-world,team-x/api,zeta"
else
  fail bodies-export-succeeds "rc=$rc"
fi
n=$(calls '^curl GET https://testreg\.azurecr\.io/v2/[a-z/-]+/manifests/sha256:[0-9a-f]{64}$')
np=$(calls '^curl POST https://testreg\.azurecr\.io/oauth2/token repository:(hello-world|team-x/api):pull$')
if [ "$n" -eq 5 ] && [ "$(calls 'manifest show')" -eq 0 ] && [ "$np" -ge 2 ] && [ "$np" -le 5 ] &&
   [ "$np" -eq "$(calls '^curl POST')" ] &&
   [ "$(calls '^az acr login -n testreg --expose-token -o json$')" -eq 1 ]; then ok bodies-one-get-per-manifest-one-token
else fail bodies-one-get-per-manifest-one-token "$n GETs, $np token exchanges; calls were:" "$(cat "$AZ_STUB_LOG")"; fi
if grep -q '^export-acr.sh: 5/5 manifest bodies (100.0%), 0 failed retries$' "$T/stderr"
then ok bodies-progress; else fail bodies-progress "no body progress line"; fi
if ! grep -rq 'token-1' "$T/bodies" && ! grep -q 'token-1' "$T/stderr"; then ok bodies-token-not-left-behind
else fail bodies-token-not-left-behind "the token is in the output"; fi

mkdir -p "$T/rest"
for j in 1 4; do
  fresh
  EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/rest/j$j.json" --bodies -j "$j" -q
  [ "$rc" -eq 0 ] || echo "    (bodies -j $j: rc=$rc)"
done
same bodies-jobs-1-and-4-identical "$T/rest/j1.json" "$T/rest/j4.json"

# the refresh token (and the access tokens from it) expire after 2 requests: with -j 1 the
# third request, a GET, gets a 401, the token exchange too, then one az acr login and the rest
# succeeds
fresh
CURL_STUB_TOKEN1_USES=2 EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/rest/expired1.json" --bodies -j 1
if [ "$rc" -eq 0 ] && [ "$(calls 'acr login')" -eq 2 ] &&
   [ "$(grep -E '^curl|acr login' "$AZ_STUB_LOG" | cut -d' ' -f1-2 | tr '\n' ,)" = \
     'az acr,curl POST,curl GET,curl GET,curl POST,az acr,curl POST,curl GET,curl POST,curl GET,curl GET,curl GET,' ] &&
   grep -q 'HTTP 401' "$T/stderr"; then
  ok bodies-401-on-get-then-new-token
else fail bodies-401-on-get-then-new-token "rc=$rc, $(calls 'acr login') logins" "$(grep -E 'curl|login' "$AZ_STUB_LOG")"; fi
same bodies-after-401-same-bundle "$T/rest/j1.json" "$T/rest/expired1.json"
fresh
CURL_STUB_TOKEN1_USES=2 EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/rest/expired.json" --bodies -j 4
if [ "$rc" -eq 0 ] && [ "$(calls 'acr login')" -eq 2 ] && grep -q 'HTTP 401' "$T/stderr"; then
  ok bodies-401-refreshes-token-once
else fail bodies-401-refreshes-token-once "rc=$rc, $(calls 'acr login') logins"; fi
same bodies-after-refresh-same-bundle "$T/rest/j1.json" "$T/rest/expired.json"

# a 503 on one manifest: retried
fresh
CURL_STUB_TRANSIENT=588f23ff EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/rest/503.json" --bodies
if [ "$rc" -eq 0 ] && [ "$(calls '^curl GET .*sha256:588f23ff')" -eq 2 ] &&
   grep -q 'retry 1 of 3 (transient failure, HTTP 503)' "$T/stderr"; then ok bodies-503-retried
else fail bodies-503-retried "rc=$rc"; fi
same bodies-503-same-bundle "$T/rest/j1.json" "$T/rest/503.json"

# a body that fails halfway (HTTP 404), then the resume fetches just what is missing
rm -rf "$T/rb"; mkdir -p "$T/rb"
fresh
CURL_STUB_FAIL=d1bf089f EXPORT_ACR_NOW=$NOW export_run -r testreg -o "$T/rb/bundle.json" --bodies -j 1
if [ "$rc" -eq 1 ] && dir_has_only "$T/rb" bundle.json.partial &&
   grep -q 'GET https://testreg.azurecr.io/v2/team-x/api/manifests/sha256:d1bf089f' "$T/stderr" &&
   grep -q 'error: 404' "$T/stderr"; then ok bodies-failure-keeps-work-dir
else fail bodies-failure-keeps-work-dir "rc=$rc, files: $(ls -A "$T/rb" | tr '\n' ' ')"; fi
fresh
export_run -r testreg -o "$T/rb/bundle.json" --bodies -j 1
if [ "$rc" -eq 0 ] && [ "$(calls '^curl GET .*sha256:d1bf089f')" -eq 1 ] && [ "$(calls '^curl GET')" -eq 1 ] &&
   [ "$(calls 'list-metadata|show-tags')" -eq 0 ] && grep -q 'resumed 4 of 5 manifest bodies' "$T/stderr"; then
  ok bodies-resume-fetches-only-missing
else fail bodies-resume-fetches-only-missing "rc=$rc, calls were:" "$(cat "$AZ_STUB_LOG")"; fi
same bodies-resume-same-bundle "$T/rest/j1.json" "$T/rb/bundle.json"

# --- --repos ------------------------------------------------------------------------------------
mkdir -p "$T/repos"
fresh
export_run -r testreg -o "$T/repos/bundle.json" --repos 'team-x/.*'
got=$(python3 -c 'import json,sys; print(",".join(r["name"] for r in json.load(open(sys.argv[1]))["repositories"]))' \
  "$T/repos/bundle.json" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$got" = "team-x/api" ] && [ "$(calls 'list-metadata')" -eq 1 ]; then ok repos-filter
else fail repos-filter "rc=$rc repositories=$got"; fi
export_run -r testreg -o "$T/repos/anchored.json" --repos 'team'
got=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["repositories"]))' \
  "$T/repos/anchored.json" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$got" = 0 ]; then ok repos-filter-is-anchored; else fail repos-filter-is-anchored "rc=$rc count=$got"; fi
fresh
export_run -r testreg -o "$T/repos/bad.json" --repos '(unclosed'
if [ "$rc" -ne 0 ] && [ ! -e "$T/repos/bad.json" ] && [ ! -s "$AZ_STUB_LOG" ]; then ok repos-bad-regex-fails-early
else fail repos-bad-regex-fails-early "rc=$rc" "$(cat "$AZ_STUB_LOG")"; fi
check repos-no-files-left dir_has_only "$T/repos" bundle.json anchored.json

# --- failures leave no output (a work directory at most) ----------------------------------------
# expect_failure NAME TEXT-IN-STDERR EXPORTER-ARGS... (output goes to $T/f/bundle.json)
expect_failure() {
  local name=$1 text=$2
  shift 2
  rm -rf "$T/f"
  mkdir -p "$T/f"
  fresh
  export_run -r testreg -o "$T/f/bundle.json" "$@"
  if [ "$rc" -eq 1 ] && { dir_has_only "$T/f" || dir_has_only "$T/f" bundle.json.partial; } &&
     grep -qF -- "$text" "$T/stderr"; then ok "$name"
  else fail "$name" "rc=$rc, stderr should name: $text, files: $(ls -A "$T/f" | tr '\n' ' ')"; fi
}
AZ_STUB_FAIL='acr show -n testreg -o json' \
  expect_failure az-fails-first-call 'az acr show -n testreg -o json'
check first-call-failure-leaves-nothing dir_has_only "$T/f"
AZ_STUB_FAIL='acr task list' \
  expect_failure task-list-failure-is-fatal 'az acr task list -r testreg -o json'
AZ_STUB_FAIL='show-tags -n testreg --repository team-x/api' \
  expect_failure az-fails-midway-no-output 'az acr repository show-tags -n testreg --repository team-x/api --detail -o json'
CURL_STUB_FAIL='team-x/api/manifests/' \
  expect_failure body-fails-no-output 'GET https://testreg.azurecr.io/v2/team-x/api/manifests/sha256:' --bodies
AZ_STUB_FAIL='acr login' \
  expect_failure login-fails-no-output 'az acr login -n testreg --expose-token -o json' --bodies
AZ_STUB_GARBAGE='list-metadata -r testreg -n hello-world' \
  expect_failure invalid-json-from-az-no-output 'az acr manifest list-metadata -r testreg -n hello-world -o json'
expect_failure unknown-registry-fails 'az acr show -n nosuchreg' -r nosuchreg

# A failed export keeps an existing output file as it was.
rm -rf "$T/keep"; mkdir -p "$T/keep"
printf 'previous export\n' >"$T/keep/bundle.json"
fresh
AZ_STUB_FAIL='list-metadata -r testreg -n team-x/api' export_run -r testreg -o "$T/keep/bundle.json"
if [ "$rc" -ne 0 ] && [ "$(cat "$T/keep/bundle.json" 2>/dev/null)" = "previous export" ] &&
   { dir_has_only "$T/keep" bundle.json || dir_has_only "$T/keep" bundle.json bundle.json.partial; }
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

# --- the bundles through purgesim ---------------------------------------------------------------
# dry_run NAME BUNDLE: purgesim dry-run reads it
dry_run() {
  rc=0
  if [ ! -x "$BIN" ]; then
    fail "$1" "no executable $BIN (build it, or set BIN)"
  elif [ ! -f "$2" ]; then
    fail "$1" "no bundle $2"
  else
    "$BIN" dry-run -i "$2" --format json -- acr purge --filter '.*:.*' --ago 0d \
      >"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?
    if [ "$rc" -eq 0 ]; then ok "$1"; else fail "$1" "rc=$rc"; fi
  fi
}
dry_run purgesim-dry-run-reads-export "$T/plain/bundle.json"
dry_run purgesim-dry-run-reads-premium-export "$T/prem/bundle.json"
dry_run purgesim-dry-run-reads-bodies-export "$T/rest/expired.json"
# the exported setup is replayed as the policy "current" (its task: hello-world, nightly)
rc=0
"$BIN" simulate -q -i "$T/prem/bundle.json" --format json >"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?
if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = [p["name"] for p in d["policies"]]
assert names[:2] == ["baseline", "current"], names
cur = d["policies"][1]
assert cur["runs"] > 0, cur["runs"]
' "$T/stdout" 2>>"$T/stderr"; then ok purgesim-replays-exported-setup-as-current
else fail purgesim-replays-exported-setup-as-current "rc=$rc $(head -3 "$T/stderr")"; fi
[ "$fails" -eq 0 ]
