#!/usr/bin/env bash
# Tests the GitHub Actions workflows of data/github/ and the scripts their steps run, offline:
#   monthly-report.sh  against the stub az of tests/export/bin (registry testreg) and the sample
#                      bundle: the previous month, the summary, the artifact directory, outputs,
#                      failures that publish nothing;
#   pr-cost.sh         the comment: both simulate tables, each policy's saving before and after
#                      and its change (checked against purgesim's own JSON), a new policy file;
#   policy-at.sh, post-comment.sh (a stub gh), build-purgesim.sh's package list;
#   the two workflows: valid YAML (python3 yaml), their triggers, permissions, the OIDC login,
#                      every run: step calling a script of data/github/.
# purgesim runs through a logging wrapper; when the purgesim under test cannot write Markdown
# yet ("--format markdown is not available yet"), the wrapper answers --format markdown with a
# stand-in table, so the plumbing is tested either way.
# Prints "planned N", then "ok NAME" / "FAIL NAME" per check (details indented); exits 1 when
# one failed. Needs python3 with yaml (python3-yaml, make deps) and git.
# Env: BIN - purgesim binary (default ./purgesim).
# shellcheck disable=SC2012  # ls -A on directories of known, plain file names
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
ROOT=$PWD
PLANNED=43
echo "planned $PLANNED"
BIN=${BIN:-$ROOT/purgesim}
case "$BIN" in /*) ;; *) BIN=$ROOT/$BIN ;; esac
GH=$ROOT/data/github
SAMPLE=$ROOT/data/sample/devreg.json
POLICIES=$ROOT/data/policies/example.ini
T=$(mktemp -d "${TMPDIR:-/tmp}/test-github.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
unset PURGESIM_PRICING GITHUB_STEP_SUMMARY GITHUB_OUTPUT AZ_STUB_FAIL AZ_STUB_GARBAGE RUNNER_TEMP PURGESIM_TODAY
fails=0
ok() { echo "ok github/$1"; }
fail() {
  echo "FAIL github/$1"
  fails=$((fails + 1))
  shift
  local l
  for l in "$@"; do printf '    %s\n' "$l"; done
  [ -s "$T/stderr" ] && sed 's/^/    stderr: /' "$T/stderr" | head -12
  return 0
}
# check NAME COMMAND...: ok when COMMAND succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else fail "$n" "failed: $*"; fi; }
# run CMD...: sets rc; stdout and stderr in $T/stdout, $T/stderr
run() { rc=0; "$@" >"$T/stdout" 2>"$T/stderr" </dev/null || rc=$?; }

# --- the stubs: az (tests/export/bin), purgesim (logging wrapper), gh ---------------------------
mkdir -p "$T/bin"
export AZ_STUB_LOG=$T/az.log PURGESIM_LOG=$T/purgesim.log GH_STUB_LOG=$T/gh.log
export PATH="$T/bin:$ROOT/tests/export/bin:$PATH"
markdown=0
if [ -x "$BIN" ] && "$BIN" simulate -q -i "$SAMPLE" -p "$POLICIES" --format markdown 2>/dev/null | grep -q '^|'; then
  markdown=1
fi
cat >"$T/bin/purgesim" <<EOF
#!/usr/bin/env bash
# logs its call, then runs the purgesim under test (or stands in for its Markdown)
printf 'purgesim %s\n' "\$*" >>"\$PURGESIM_LOG"
if [ "$markdown" = 0 ]; then
  for a in "\$@"; do
    if [ "\$a" = markdown ]; then
      echo "### purgesim \$1 (stand-in Markdown: $BIN cannot write it yet)"
      echo
      echo "| policy | args |"
      echo "|---|---|"
      echo "| stand-in | \$* |"
      exit 0
    fi
  done
fi
exec "$BIN" "\$@"
EOF
cat >"$T/bin/gh" <<'EOF'
#!/usr/bin/env bash
# stub GitHub CLI: logs "gh ARGS"; --edit-last fails when GH_STUB_NO_LAST is set
printf 'gh %s\n' "$*" >>"$GH_STUB_LOG"
for a in "$@"; do
  if [ "$a" = --edit-last ] && [ -n "${GH_STUB_NO_LAST:-}" ]; then
    echo "no comments found for current user" >&2; exit 1
  fi
done
exit 0
EOF
chmod +x "$T/bin/purgesim" "$T/bin/gh"
export PURGESIM=$T/bin/purgesim

# --- monthly-report.sh ---------------------------------------------------------------------------
M=$GH/monthly-report.sh
run bash "$M" --help
if [ "$rc" = 0 ] && grep -q 'GITHUB_STEP_SUMMARY' "$T/stdout"; then ok monthly/help; else fail monthly/help "rc=$rc"; fi
run bash "$M" -p "$POLICIES"
if [ "$rc" = 2 ] && [ "$(cat "$T/stderr")" = "monthly-report: no registry: give -r REGISTRY (or -i BUNDLE)" ]; then ok monthly/no-registry-is-usage; else fail monthly/no-registry-is-usage "rc=$rc"; fi
got=$(PURGESIM_TODAY=2026-12-06 bash "$M" --print-month 2>&1)-$(PURGESIM_TODAY=2027-01-01 bash "$M" --print-month 2>&1)-$(PURGESIM_TODAY=2024-03-31 bash "$M" --print-month 2>&1)
if [ "$got" = 2026-11-2026-12-2024-02 ]; then ok monthly/previous-calendar-month; else fail monthly/previous-calendar-month "got $got"; fi
run bash "$M" -r testreg -m 2026-13
if [ "$rc" = 2 ] && grep -q 'expected YYYY-MM' "$T/stderr"; then ok monthly/bad-month-is-usage; else fail monthly/bad-month-is-usage "rc=$rc"; fi

# the workflow's step: export testreg through the stub az, the previous month of 2026-12-06
mkdir -p "$T/m1" "$T/runner"
: >"$AZ_STUB_LOG"; : >"$PURGESIM_LOG"
echo "# earlier step" >"$T/m1/summary.md"
(cd "$T/m1" && GITHUB_STEP_SUMMARY=$T/m1/summary.md GITHUB_OUTPUT=$T/m1/output RUNNER_TEMP=$T/runner PURGESIM_TODAY=2026-12-06 \
  run bash "$M" -r testreg -p "$POLICIES" -o purgesim-report; echo "$rc" >"$T/m1/rc"; cp "$T/stderr" "$T/m1/stderr")
rc=$(cat "$T/m1/rc")
if [ "$rc" = 0 ]; then ok monthly/runs; else fail monthly/runs "rc=$rc" "$(cat "$T/m1/stderr")"; fi
if grep -q '^az acr manifest list-metadata -r testreg ' "$AZ_STUB_LOG" && grep -q '^az acr repository list -n testreg' "$AZ_STUB_LOG"; then
  ok monthly/exports-with-az
else fail monthly/exports-with-az "az calls:" "$(head -5 "$AZ_STUB_LOG")"; fi
# purgesim report on the export, for 2026-11, Markdown and HTML, with the policy file
if grep -qE "^purgesim report -q -i $T/runner/monthly-report\.[^ ]+/testreg\.json -p $POLICIES --month 2026-11 --format markdown$" "$PURGESIM_LOG" &&
   grep -qE "^purgesim report -q -i [^ ]+/testreg\.json -p $POLICIES --month 2026-11 --html -o [^ ]+/$" "$PURGESIM_LOG" &&
   [ "$(wc -l <"$PURGESIM_LOG")" = 2 ]; then
  ok monthly/purgesim-report-calls
else fail monthly/purgesim-report-calls "calls:" "$(cat "$PURGESIM_LOG")"; fi
# the summary: what was there, then the report's Markdown (current and the candidates when real)
s=$T/m1/summary.md
if [ "$(head -1 "$s")" = "# earlier step" ] && grep -q '^### purgesim report' "$s" && grep -q '^|' "$s" &&
   grep -q 'report-2026-11.html' "$s" &&
   { [ "$markdown" = 0 ] || { grep -q '2026-11' "$s" && grep -q '| current |' "$s" && grep -q '| weekly-30d |' "$s"; }; }; then
  ok monthly/step-summary
else fail monthly/step-summary "$(head -20 "$s")"; fi
a=$T/m1/purgesim-report
if [ -s "$a/report-2026-11.html" ] && [ -s "$a/report-2026-11.md" ] && [ -s "$a/stored.svg" ] && [ -s "$a/monthly-cost.png" ] &&
   [ -z "$(find "$a" -name '*testreg*')" ] && cmp -s "$a/report-2026-11.md" <(sed -n '2,/^The HTML report/p' "$s" | sed '$d' | sed '$d'); then
  ok monthly/artifact-directory
else fail monthly/artifact-directory "files: $(ls -A "$a" 2>/dev/null | tr '\n' ' ')"; fi
if grep -qx 'month=2026-11' "$T/m1/output" && grep -qx 'dir=purgesim-report' "$T/m1/output" &&
   grep -qx 'html=purgesim-report/report-2026-11.html' "$T/m1/output"; then ok monthly/step-outputs
else fail monthly/step-outputs "$(cat "$T/m1/output" 2>/dev/null)"; fi
if [ -z "$(ls -A "$T/runner")" ]; then ok monthly/no-temporary-files-left; else fail monthly/no-temporary-files-left "$(ls -A "$T/runner")"; fi

# a bundle, a month and purgesim options; no summary file: the Markdown on standard output
mkdir -p "$T/m2"
: >"$PURGESIM_LOG"
run bash "$M" -i "$SAMPLE" -p "$POLICIES" -m 2026-10 -o "$T/m2/out" -- --sku premium
if [ "$rc" = 0 ] && grep -q '^### purgesim report' "$T/stdout" && [ -s "$T/m2/out/report-2026-10.html" ] &&
   grep -q -- "--month 2026-10 --format markdown --sku premium$" "$PURGESIM_LOG" && ! grep -q '^az ' "$T/stdout"; then
  ok monthly/bundle-month-and-options
else fail monthly/bundle-month-and-options "rc=$rc" "$(cat "$PURGESIM_LOG")"; fi
if [ "$markdown" = 0 ] || grep -q 'Premium' "$T/stdout"; then ok monthly/options-reach-purgesim
else fail monthly/options-reach-purgesim "no Premium in: $(head -5 "$T/stdout")"; fi

# failures publish nothing: no summary line, no artifact
mkdir -p "$T/m3"
echo "# before" >"$T/m3/summary.md"
GITHUB_STEP_SUMMARY=$T/m3/summary.md run bash "$M" -i "$SAMPLE" -p "$T/no-such.ini" -o "$T/m3/out"
if [ "$rc" = 2 ] && grep -q "no-such.ini" "$T/stderr" && [ ! -e "$T/m3/out" ] && [ "$(cat "$T/m3/summary.md")" = "# before" ]; then
  ok monthly/missing-policy-file
else fail monthly/missing-policy-file "rc=$rc"; fi
: >"$AZ_STUB_LOG"
AZ_STUB_FAIL='show-tags -n testreg' GITHUB_STEP_SUMMARY=$T/m3/summary.md run bash "$M" -r testreg -p "$POLICIES" -m 2026-11 -o "$T/m3/out"
if [ "$rc" = 1 ] && grep -q 'export of testreg failed' "$T/stderr" && [ ! -e "$T/m3/out" ] &&
   [ "$(cat "$T/m3/summary.md")" = "# before" ]; then ok monthly/export-failure-publishes-nothing
else fail monthly/export-failure-publishes-nothing "rc=$rc"; fi
# a month after the export: purgesim refuses it, nothing is published
GITHUB_STEP_SUMMARY=$T/m3/summary.md run bash "$M" -i "$SAMPLE" -p "$POLICIES" -m 2027-06 -o "$T/m3/out"
if [ "$rc" = 1 ] && grep -q 'purgesim report' "$T/stderr" && [ ! -e "$T/m3/out" ] && [ "$(cat "$T/m3/summary.md")" = "# before" ]; then
  ok monthly/purgesim-failure-publishes-nothing
else fail monthly/purgesim-failure-publishes-nothing "rc=$rc"; fi

# -o -: a usage error before any work (the artifact is several files); nothing named "-" appears
mkdir -p "$T/m4"
: >"$PURGESIM_LOG"
(cd "$T/m4" && run bash "$M" -i "$SAMPLE" -p "$POLICIES" -m 2026-10 -o -; echo "$rc" >"$T/m4/.rc"; cp "$T/stderr" "$T/m4/.stderr")
rc=$(cat "$T/m4/.rc")
if [ "$rc" = 2 ] && grep -q '^monthly-report: -o -: .*standard output takes one: give -o OUTDIR$' "$T/m4/.stderr" &&
   [ ! -e "$T/m4/-" ] && [ ! -s "$PURGESIM_LOG" ]; then ok monthly/dash-output-refused
else fail monthly/dash-output-refused "rc=$rc, files: $(ls -A "$T/m4" | tr '\n' ' ')" "$(cat "$T/m4/.stderr")"; fi

# --- pr-cost.sh ----------------------------------------------------------------------------------
P=$GH/pr-cost.sh
run bash "$P" --help
if [ "$rc" = 0 ] && grep -q -- '--base FILE' "$T/stdout"; then ok pr/help; else fail pr/help "rc=$rc"; fi
run bash "$P" -i "$SAMPLE" --head "$POLICIES"
if [ "$rc" = 2 ] && [ "$(cat "$T/stderr")" = "pr-cost: give --base FILE and --head FILE" ]; then ok pr/base-and-head-required; else fail pr/base-and-head-required "rc=$rc"; fi
# the head keeps 1 instead of 3 and replaces weekly-30d with weekly-14d
sed -e 's/--keep 3/--keep 1/' -e 's/^\[weekly-30d\]/[weekly-14d]/' -e 's/--ago 30d/--ago 14d/' "$POLICIES" >"$T/head.ini"
: >"$PURGESIM_LOG"
run bash "$P" -i "$SAMPLE" --base "$POLICIES" --head "$T/head.ini" --name policies/purge.ini -o "$T/comment.md" -- --price-per-gb-day 0.05
c=$T/comment.md
if [ "$rc" = 0 ] && [ -s "$c" ] && [ ! -s "$T/stdout" ]; then ok pr/comment-written; else fail pr/comment-written "rc=$rc"; fi
n_md=$(grep -c -- "--format markdown --price-per-gb-day 0.05$" "$PURGESIM_LOG")
n_js=$(grep -c -- "--format json --price-per-gb-day 0.05$" "$PURGESIM_LOG")
if [ "$n_md" = 2 ] && [ "$n_js" = 2 ] && grep -q "^purgesim simulate -q -i $SAMPLE -p $POLICIES --format markdown" "$PURGESIM_LOG" &&
   grep -q "^purgesim simulate -q -i $SAMPLE -p $T/head.ini --format json" "$PURGESIM_LOG"; then
  ok pr/simulate-base-and-head
else fail pr/simulate-base-and-head "calls:" "$(cat "$PURGESIM_LOG")"; fi
if head -1 "$c" | grep -qx '<!-- purgesim-pr-cost -->' && grep -q 'policies/purge.ini' "$c" &&
   [ "$(grep -c '^### purgesim simulate' "$c")" = 2 ] && grep -q '<summary>Before (base)' "$c" &&
   grep -q '<details open><summary>After (this pull request)' "$c"; then
  ok pr/comment-has-both-tables
else fail pr/comment-has-both-tables "$(head -30 "$c")"; fi
# each row's figures and change, against purgesim's JSON for each side
"$BIN" simulate -q -i "$SAMPLE" -p "$POLICIES" --price-per-gb-day 0.05 --format json >"$T/base.json" 2>/dev/null
"$BIN" simulate -q -i "$SAMPLE" -p "$T/head.ini" --price-per-gb-day 0.05 --format json >"$T/head.json" 2>/dev/null
why=$(python3 - "$c" "$T/base.json" "$T/head.json" <<'EOF'
import json, sys
c, bj, hj = sys.argv[1:4]
b = {p["name"]: p["saving_per_month"] for p in json.load(open(bj))["policies"]}
h = {p["name"]: p["saving_per_month"] for p in json.load(open(hj))["policies"]}
rows = {}
for line in open(c):
    cells = [x.strip() for x in line.strip().strip("|").split("|")]
    if len(cells) == 5 and cells[0] not in ("policy", "---"):
        rows[cells[0]] = cells
dec = 2 if max(list(b.values()) + list(h.values())) >= 1 else 4
def f(x): return "%.*f" % (dec, x)
bad = []
want = {"nightly-keep3": (f(b["nightly-keep3"]), f(h["nightly-keep3"]), h["nightly-keep3"] - b["nightly-keep3"]),
        "weekly-30d": (f(b["weekly-30d"]), "–", -b["weekly-30d"]),
        "weekly-14d": ("–", f(h["weekly-14d"]), h["weekly-14d"])}
for n, (wb, wh, wc) in want.items():
    r = rows.get(n)
    if not r:
        bad.append("no row for %s" % n); continue
    if r[1] != wb or r[2] != wh or abs(float(r[3]) - wc) > 10 ** -dec:
        bad.append("%s: %r, want %s %s %+.6f" % (n, r, wb, wh, wc))
if rows.get("weekly-30d", [""] * 5)[4] != "removed" or rows.get("weekly-14d", [""] * 5)[4] != "added":
    bad.append("added/removed not said")
if "Change in saving:" not in open(c).read():
    bad.append("no change in saving line")
print("; ".join(bad))
EOF
)
if [ -z "$why" ] && [ -s "$T/base.json" ]; then ok pr/saving-before-after-change; else fail pr/saving-before-after-change "$why"; fi
# a tie: the sample's three policies save the same over its history, and the comment names all
# three, the one ending with the least stored first, and no single "best"
run bash "$P" -i "$SAMPLE" --base "$POLICIES" --head "$POLICIES" -o "$T/tie.md"
if [ "$rc" = 0 ] && grep -q '^Best before: \*\*retention-7d\*\*, \*\*nightly-keep3\*\* and \*\*weekly-30d\*\* (each saves ' "$T/tie.md"; then
  ok pr/tied-best-named-together
else fail pr/tied-best-named-together "$(grep '^Best' "$T/tie.md")"; fi
# a policy file new in the pull request: only the head's table
run bash "$P" -i "$SAMPLE" --base "$T/no-such.ini" --head "$POLICIES" -o "$T/new.md"
if [ "$rc" = 0 ] && grep -q 'is \*\*new\*\* in this pull request' "$T/new.md" && [ "$(grep -c '^### purgesim simulate' "$T/new.md")" = 1 ] &&
   ! grep -q 'Before (base)' "$T/new.md"; then ok pr/new-policy-file
else fail pr/new-policy-file "rc=$rc"; fi
# the workflow's step: export testreg through the stub az
: >"$AZ_STUB_LOG"
run bash "$P" -r testreg --base "$POLICIES" --head "$T/head.ini" -o "$T/export.md"
if [ "$rc" = 0 ] && grep -q '^az acr manifest list-metadata -r testreg' "$AZ_STUB_LOG" && grep -q 'testreg.azurecr.io' "$T/export.md"; then
  ok pr/exports-with-az
else fail pr/exports-with-az "rc=$rc"; fi
# -o -: the comment on standard output, the same bytes as -o FILE, and no file "-"
mkdir -p "$T/p-dash"
(cd "$T/p-dash" && run bash "$P" -i "$SAMPLE" --base "$T/no-such.ini" --head "$POLICIES" -o -; echo "$rc" >"$T/p-dash/.rc")
rc=$(cat "$T/p-dash/.rc")
if [ "$rc" = 0 ] && [ -s "$T/stdout" ] && cmp -s "$T/stdout" "$T/new.md" && [ ! -e "$T/p-dash/-" ]; then ok pr/dash-output-is-stdout
else fail pr/dash-output-is-stdout "rc=$rc, files: $(ls -A "$T/p-dash" | tr '\n' ' ')"; fi
AZ_STUB_FAIL='list-metadata' run bash "$P" -r testreg --base "$POLICIES" --head "$T/head.ini" -o "$T/failed.md"
if [ "$rc" = 1 ] && [ ! -e "$T/failed.md" ]; then ok pr/export-failure-writes-nothing; else fail pr/export-failure-writes-nothing "rc=$rc"; fi

# --- policy-at.sh and post-comment.sh ------------------------------------------------------------
g=$T/repo
mkdir -p "$g/policies"
( cd "$g" && git init -q && git config user.email t@example.com && git config user.name t &&
  cp "$POLICIES" policies/purge.ini && git add policies && git commit -qm base &&
  cp "$T/head.ini" policies/purge.ini && git commit -qam head ) >/dev/null 2>&1
(cd "$g" && run bash "$GH/policy-at.sh" HEAD~1 policies/purge.ini "$T/at-base.ini"; echo "$rc" >"$T/rc1")
(cd "$g" && run bash "$GH/policy-at.sh" HEAD~1 policies/other.ini "$T/at-none.ini"; echo "$rc" >"$T/rc2")
if [ "$(cat "$T/rc1")" = 0 ] && cmp -s "$T/at-base.ini" "$POLICIES" && [ "$(cat "$T/rc2")" = 0 ] && [ ! -e "$T/at-none.ini" ]; then
  ok policy-at/base-file-or-none
else fail policy-at/base-file-or-none "rc=$(cat "$T/rc1") $(cat "$T/rc2")"; fi
: >"$GH_STUB_LOG"
run bash "$GH/post-comment.sh" "$c" 42
if [ "$rc" = 0 ] && [ "$(cat "$GH_STUB_LOG")" = "gh pr comment 42 --body-file $c --edit-last" ]; then ok post/edits-last-comment
else fail post/edits-last-comment "rc=$rc" "$(cat "$GH_STUB_LOG")"; fi
: >"$GH_STUB_LOG"
GH_STUB_NO_LAST=1 run bash "$GH/post-comment.sh" "$c" 42
if [ "$rc" = 0 ] && [ "$(sed -n 2p "$GH_STUB_LOG")" = "gh pr comment 42 --body-file $c" ]; then ok post/new-comment-when-none
else fail post/new-comment-when-none "rc=$rc" "$(cat "$GH_STUB_LOG")"; fi

# --- build-purgesim.sh: its packages are the Makefile's ------------------------------------------
pk=$(bash "$GH/build-purgesim.sh" --print-packages)
deps=$(make -s -p -n -f Makefile 2>/dev/null | sed -n 's/^DEPS_PKGS *= *//p' | head -1)
missing=""
for p in $pk; do case " $deps " in *" $p "*) ;; *) missing="$missing $p" ;; esac; done
if [ -n "$pk" ] && [ -n "$deps" ] && [ -z "$missing" ]; then ok build/packages-in-deps-pkgs
else fail build/packages-in-deps-pkgs "not in DEPS_PKGS:$missing (DEPS_PKGS: $deps)"; fi
bad=""
for f in "$GH"/*.sh; do
  bash -n "$f" 2>/dev/null && [ -x "$f" ] && head -1 "$f" | grep -qx '#!/usr/bin/env bash' &&
    grep -qx 'set -euo pipefail' "$f" || bad="$bad $(basename "$f")"
done
if [ -z "$bad" ]; then ok scripts/bash-strict-executable; else fail scripts/bash-strict-executable "$bad"; fi

# --- the workflows' YAML -------------------------------------------------------------------------
cat >"$T/check_workflows.py" <<'EOF'
import os, re, sys
gh = sys.argv[1]
try:
    import yaml
except ImportError:
    yaml = None

def result(name, why):
    print("ok github/" + name if not why else "FAIL github/%s\n    %s" % (name, why))

def check(kind, path):
    pre = "yaml/%s-" % kind
    try:
        wf = yaml.safe_load(open(path, encoding="utf-8"))
        assert isinstance(wf, dict) and isinstance(wf.get("jobs"), dict)
    except Exception as e:  # every check of this file fails
        for n in ("valid", "triggers", "permissions", "oidc-login", "run-steps-call-scripts"):
            result(pre + n, "%s: %s" % (path, e if yaml else "python3 yaml is not installed (python3-yaml)"))
        return
    result(pre + "valid", "")
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare on as true
    why = ""
    if kind == "monthly":
        if not isinstance(on, dict) or not on.get("schedule") or "workflow_dispatch" not in on:
            why = "on: %r, expected schedule and workflow_dispatch" % (on,)
        elif not all(re.fullmatch(r"\S+ \S+ \S+ \S+ \S+", s.get("cron", "")) for s in on["schedule"]):
            why = "schedule: %r" % on["schedule"]
    else:
        pr = on.get("pull_request") if isinstance(on, dict) else None
        if not isinstance(pr, dict) or not pr.get("paths"):
            why = "on: %r, expected pull_request with paths" % (on,)
    result(pre + "triggers", why)
    want = {"id-token": "write", "contents": "read"}
    if kind == "pr":
        want["pull-requests"] = "write"
    perms = wf.get("permissions") or {}
    result(pre + "permissions", "" if perms == want else "permissions: %r, expected %r" % (perms, want))
    steps = [s for j in wf["jobs"].values() for s in (j.get("steps") or [])]
    logins = [s for s in steps if str(s.get("uses", "")).startswith("azure/login@")]
    why = ""
    if len(logins) != 1 or logins[0]["uses"] != "azure/login@v2":
        why = "expected one azure/login@v2 step, got %r" % [s.get("uses") for s in logins]
    else:
        w = logins[0].get("with") or {}
        for k, sec in (("client-id", "AZURE_CLIENT_ID"), ("tenant-id", "AZURE_TENANT_ID"),
                       ("subscription-id", "AZURE_SUBSCRIPTION_ID")):
            if w.get(k) != "${{ secrets.%s }}" % sec:
                why = "azure/login with %s: %r" % (k, w.get(k))
        if "creds" in w:
            why = "azure/login with creds: OIDC takes no secret"
    result(pre + "oidc-login", why)
    why, runs = [], [s["run"] for s in steps if "run" in s]
    for r in runs:
        words = r.split()
        m = re.fullmatch(r"data/github/([A-Za-z0-9_.-]+\.sh)", words[0]) if words else None
        if not m or "\n" in r.strip():
            why.append("run: %r is not one call of a data/github/ script" % r)
        elif not os.access(os.path.join(gh, m.group(1)), os.X_OK):
            why.append("%s: no such executable script" % words[0])
    if not runs:
        why.append("no run steps")
    if kind == "monthly":
        up = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
        if not up or not str((up[0].get("with") or {}).get("path", "")).startswith("purgesim-report"):
            why.append("no actions/upload-artifact step of purgesim-report/")
        if not any("monthly-report.sh" in r for r in runs):
            why.append("monthly-report.sh is not run")
    else:
        for s in ("policy-at.sh", "pr-cost.sh", "post-comment.sh"):
            if not any(s in r for r in runs):
                why.append("%s is not run" % s)
        if "paths" in (on.get("pull_request") or {}):
            env = wf.get("env") or {}
            if env.get("PURGESIM_POLICIES") not in on["pull_request"]["paths"]:
                why.append("paths %r do not name PURGESIM_POLICIES %r" % (on["pull_request"]["paths"], env.get("PURGESIM_POLICIES")))
    result(pre + "run-steps-call-scripts", "; ".join(why))

check("monthly", os.path.join(gh, "purgesim-monthly.yml"))
check("pr", os.path.join(gh, "purgesim-pr.yml"))
EOF
out=$(python3 "$T/check_workflows.py" "$GH" 2>&1) || out="$out
FAIL github/yaml/checker
    check_workflows.py crashed"
printf '%s\n' "$out"
fails=$((fails + $(printf '%s\n' "$out" | grep -c '^FAIL ')))

[ "$fails" -eq 0 ]
