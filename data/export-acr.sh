#!/usr/bin/env bash
# export-acr.sh - export an Azure Container Registry's metadata and setup as a purgesim bundle
# (data/EXPORT-FORMAT.md, version 1) using the real az CLI.
#
# Requirements:
#   az       the Azure CLI, logged in (az login) with read access to the registry.
#   python3  for JSON assembly and checks (standard library only). We use python3 rather than
#            jq: jq is not installed on a fresh Debian machine, python3 nearly always is, and the
#            az CLI itself runs on Python. When python3 is not on PATH, the interpreter bundled
#            with the az CLI packages (/opt/az/bin/python3) is used.
#   curl     with --bodies only: manifest bodies come from the registry's REST API.
#   xargs    (-0 -P: GNU or BSD) runs the per-repository and per-manifest calls in parallel.
# bash 3.2 (macOS) will do: each parallel worker is its own `bash -c` process, so $$ is its PID.
#
# What it runs (every az call with -o json, stdin from /dev/null):
#   az acr show -n REG -o json                     -> "acrShow", and "registry", "sku" from it
#   az acr task list -r REG -o json                -> "tasks"
#   az acr config retention show -r REG -o json    -> "retentionPolicy"  (omitted on failure)
#   az acr config soft-delete show -r REG -o json  -> "softDeletePolicy" (omitted on failure)
#   az acr replication list -r REG -o json         -> "replications"     (omitted on failure)
#   az acr repository list -n REG -o json          -> repository names
#   per repository REPO, -j N at a time:
#     az acr manifest list-metadata -r REG -n REPO -o json                   -> "manifests"
#     az acr repository show-tags -n REG --repository REPO --detail -o json  -> "tags"
#   with --bodies: az acr login -n REG --expose-token -o json once (again when the token
#   expires, after about 3 hours), then -j N at a time:
#     per repository, curl POST https://LOGINSERVER/oauth2/token   (an access token for
#       repository:REPO:pull: the token az gives is an ACR refresh token, which the REST API
#       does not take)
#     per manifest, curl GET https://LOGINSERVER/v2/REPO/manifests/DIGEST   -> "bodies"[DIGEST]
#
# Work directory: OUT.partial/ beside OUT keeps every finished repository (and body). A failed
# or interrupted export keeps it, and a rerun with the same arguments resumes from it. The
# bundle is written to a temporary file and renamed to OUT only when everything succeeded, then
# OUT.partial/ is removed: a failed export never leaves a (half-written) OUT, and an existing OUT
# stays untouched. -o - writes the bundle to standard output instead, once complete; its work
# directory is then the default output's, NAME.json.partial/ in the current directory, so that
# the same command resumes it (a "-.partial" there would surprise).
#
# Environment (mostly for tests):
#   EXPORT_ACR_NOW          exportedAt of a fresh export (default: the current UTC time)
#   EXPORT_ACR_RETRY_DELAY  seconds before the first retry, doubled for each next one (default 2)
set -euo pipefail

PROG=export-acr.sh

usage() {
  cat <<'EOF'
usage: export-acr.sh -r REGISTRY [-o OUT.json] [--bodies] [--repos REGEX] [-j N] [--restart] [-q]

Export the setup (az acr show, purge tasks, retention, soft delete, replications) and the
manifests and tags of every repository of an Azure Container Registry into one purgesim bundle
(JSON), using the az CLI (logged in) and python3.

  -r, --registry NAME   registry name as az knows it (e.g. devreg)
  -o, --output FILE     bundle to write (default: NAME.json, NAME cut at the first dot);
                        - for standard output (the work directory is then NAME.json.partial)
      --bodies          also fetch every manifest body from the registry's REST API (one token
                        from az acr login --expose-token, then curl: one token exchange per
                        repository, one GET per manifest): needed for exact, deduplicated
                        storage figures, index children and referrers
      --repos REGEX     only repositories whose whole name matches REGEX (Python regular
                        expression, anchored at both ends like the repository part of an
                        acr purge filter), e.g. 'team-a/.*'
  -j, --jobs N          run N repository (and body) requests at a time (default 4, 1 to 64)
      --restart         ignore the work directory of an earlier, unfinished export
  -q, --quiet           no progress messages (warnings and errors are still shown)
  -h, --help            show this help

Transient failures (HTTP 429 and 5xx, time-outs, reset connections) are retried 3 times with
a growing delay; any other failure stops the export. Finished repositories are kept in
OUT.partial/: run the same command again to resume an interrupted or failed export. OUT is
written only when everything succeeded.

exportedAt is the UTC time at which the export started (a resumed export keeps the time of
its first run). Exit status: 0 on success, 1 on any failure (the failing command and its
error are printed), 2 on bad usage.

Example:
  az login
  data/export-acr.sh -r devreg -o devreg.json --bodies -j 8
  purgesim dry-run -i devreg.json -- acr purge --filter '.*:.*' --ago 30d --untagged
EOF
}

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
usage_error() { printf '%s: %s\n(see %s --help)\n' "$PROG" "$*" "$PROG" >&2; exit 2; }
say() { [ "$QUIET" = 1 ] || printf '%s: %s\n' "$PROG" "$*" >&2; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Arguments

reg="" out="" bodies=0 repos_re=".*" quiet=0 jobs=4 restart=0
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    -r|--registry|-o|--output|--repos|-j|--jobs)
      [ $# -ge 2 ] || usage_error "option $1 needs a value"
      case $1 in
        -r|--registry) reg=$2 ;;
        -o|--output) out=$2 ;;
        --repos) repos_re=$2 ;;
        -j|--jobs) jobs=$2 ;;
      esac
      shift 2 ;;
    --registry=*) reg=${1#*=}; shift ;;
    --output=*) out=${1#*=}; shift ;;
    --repos=*) repos_re=${1#*=}; shift ;;
    --jobs=*) jobs=${1#*=}; shift ;;
    -j[0-9]*) jobs=${1#-j}; shift ;;
    --bodies) bodies=1; shift ;;
    --restart) restart=1; shift ;;
    -q|--quiet) quiet=1; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[ -n "$reg" ] || usage_error "missing -r REGISTRY"
[ -n "$out" ] || out="${reg%%.*}.json"
# -o -: standard output, as in purgesim. The bundle is still assembled in a temporary file beside
# the default output, with the default output's work directory, and printed only when complete.
to_stdout=0
if [ "$out" = - ]; then to_stdout=1; out="${reg%%.*}.json"; fi
case $jobs in ''|*[!0-9]*) usage_error "-j needs a number from 1 to 64, got '$jobs'" ;; esac
jobs=$((10#$jobs))
{ [ "$jobs" -ge 1 ] && [ "$jobs" -le 64 ]; } || usage_error "-j needs a number from 1 to 64, got $jobs"
delay=${EXPORT_ACR_RETRY_DELAY:-2}
case $delay in ''|*[!0-9.]*|*.*.*) usage_error "EXPORT_ACR_RETRY_DELAY must be a number of seconds" ;; esac

# ---------------------------------------------------------------------------------------------
# Tools

command -v az >/dev/null 2>&1 ||
  die "the Azure CLI 'az' was not found on PATH (install: https://learn.microsoft.com/cli/azure/install-azure-cli)"
if command -v python3 >/dev/null 2>&1; then
  PY=python3
elif [ -x /opt/az/bin/python3 ]; then
  PY=/opt/az/bin/python3
else
  die "python3 is required to assemble the JSON bundle but was not found (Debian: apt-get install python3)"
fi
command -v xargs >/dev/null 2>&1 || die "xargs is required (Debian: apt-get install findutils)"
if [ "$bodies" = 1 ]; then
  command -v curl >/dev/null 2>&1 || die "--bodies needs curl (Debian: apt-get install curl)"
fi

# JSON helper: every JSON read and write goes through it.  Subcommands:
#   checkre REGEX
#   show FILE WHAT                        -> "LOGINSERVER<TAB>SKU" from az acr show -o json
#   names FILE WHAT REGEX                 -> "KEY<TAB>NAME" per matching repository, by name;
#                                            KEY (sha256 of the name) names its directory
#   checkrepos PART NAMES REGISTRY        -> checks the az output of each repository fetched
#                                            since the last check, and writes its manifest
#                                            digests (PART/repos/KEY/digests, which marks it
#                                            checked); a repository whose output is bad is
#                                            removed (fetched again on the next run)
#   bodylist PART NAMES                   -> "KEY<TAB>NAME<TAB>DIGEST" per body still missing,
#                                            and "TOTAL PRESENT" (body counts) on fd 3
#   assemble OUT PART NAMES SETUP REGISTRY EXPORTEDAT SKU BODIES LOGINSERVER
#                                         -> writes the bundle to OUT
# WHAT is the az command that produced FILE, for error messages.
# shellcheck disable=SC2016,SC2089  # Python source, not shell
PYHELPER='
import hashlib, json, os, re, sys
PROG = "export-acr.sh"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z")

def die(msg):
    sys.stderr.write("%s: error: %s\n" % (PROG, msg))
    sys.exit(1)

def load(path, what, empty_ok=False):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        die("cannot read the output of `%s`: %s" % (what, e))
    if not text.strip():
        if empty_ok:
            return None
        die("`%s` printed nothing (expected JSON)" % what)
    try:
        return json.loads(text)
    except ValueError as e:
        die("`%s` did not print valid JSON: %s" % (what, e))

def array(path, what, key):
    v = load(path, what)
    if isinstance(v, dict) and isinstance(v.get(key), list):   # REST shape {"...", key: [...]}
        v = v[key]
    if not isinstance(v, list):
        die("`%s`: expected a JSON array, got %s" % (what, type(v).__name__))
    return v

def indent(text, n):
    pad = " " * n
    return "\n".join(pad + line for line in text.split("\n"))

def key(name):
    return hashlib.sha256(name.encode("utf-8")).hexdigest()

def names_file(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, n = line.rstrip("\n").split("\t", 1)
            out.append((k, n))
    return out

def digests(manifests, what):
    ds = []
    for i, m in enumerate(manifests):
        d = m.get("digest") if isinstance(m, dict) else None
        if not isinstance(d, str) or not DIGEST.match(d):
            die("`%s`: [%d].digest: expected sha256 plus 64 hex digits, got %r" % (what, i, d))
        ds.append(d)
    return ds

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "checkre":
    try:
        re.compile(args[0])
    except re.error as e:
        die("invalid --repos regular expression %r: %s" % (args[0], e))
elif cmd == "show":
    path, what = args
    v = load(path, what)
    if not isinstance(v, dict):
        die("`%s`: expected a JSON object, got %s" % (what, type(v).__name__))
    login = v.get("loginServer")
    sku = (v.get("sku") or {}).get("name") if isinstance(v.get("sku"), dict) else None
    if not isinstance(login, str) or not login or any(c in login for c in "\t\n/"):
        die("`%s`: no usable loginServer (got %r)" % (what, login))
    if sku is not None and (not isinstance(sku, str) or "\t" in sku or "\n" in sku):
        die("`%s`: sku.name is not a string (got %r)" % (what, sku))
    print("%s\t%s" % (login, sku or ""))
elif cmd == "names":
    path, what, regex = args
    names = array(path, what, "repositories")
    for n in names:
        if not isinstance(n, str) or not n or "\n" in n or "\t" in n:
            die("`%s`: unexpected repository name %r" % (what, n))
    rx = re.compile(regex)
    for n in sorted(set(names)):
        if rx.fullmatch(n):
            print("%s\t%s" % (key(n), n))
elif cmd == "checkrepos":
    import shutil
    part, npath, reg = args
    bad = 0
    for k, name in names_file(npath):
        d = os.path.join(part, "repos", k)
        if not os.path.isdir(d) or os.path.exists(os.path.join(d, "digests")):
            continue
        mwhat = "az acr manifest list-metadata -r %s -n %s -o json" % (reg, name)
        twhat = "az acr repository show-tags -n %s --repository %s --detail -o json" % (reg, name)
        try:
            manifests = array(os.path.join(d, "m.json"), mwhat, "manifests")
            for i, m in enumerate(manifests):
                if not isinstance(m, dict):
                    die("`%s`: [%d]: expected an object" % (mwhat, i))
            tags = array(os.path.join(d, "t.json"), twhat, "tags")
            for i, t in enumerate(tags):
                if not isinstance(t, dict):
                    die("`%s`: [%d]: expected an object" % (twhat, i))
            ds = digests(manifests, mwhat)
        except SystemExit:
            bad += 1
            shutil.rmtree(d, ignore_errors=True)
            continue
        with open(os.path.join(d, "digests.tmp"), "w", encoding="utf-8") as f:
            f.write("".join(x + "\n" for x in ds))
        os.replace(os.path.join(d, "digests.tmp"), os.path.join(d, "digests"))
    if bad:
        sys.exit(1)
elif cmd == "bodylist":
    part, npath = args
    total = present = 0
    for k, n in names_file(npath):
        d = os.path.join(part, "repos", k)
        with open(os.path.join(d, "digests"), encoding="utf-8") as f:
            ds = f.read().split()
        for dg in ds:
            total += 1
            if os.path.exists(os.path.join(d, "bodies", dg[7:] + ".json")):
                present += 1
            else:
                print("%s\t%s\t%s" % (k, n, dg))
    os.write(3, ("%d %d\n" % (total, present)).encode())
elif cmd == "assemble":
    out, part, npath, setup, registry, exported, sku, bodies, login = args
    head = [("registry", registry), ("exportedAt", exported)]
    if sku:
        head.append(("sku", sku))
    for k, f, what, typ in (
            ("acrShow", "show.json", "az acr show", dict),
            ("tasks", "tasks.json", "az acr task list", list),
            ("retentionPolicy", "retention.json", "az acr config retention show", dict),
            ("softDeletePolicy", "softdelete.json", "az acr config soft-delete show", dict),
            ("replications", "replications.json", "az acr replication list", list)):
        p = os.path.join(setup, f)
        if not os.path.exists(p):
            continue
        v = load(p, what + " -o json", empty_ok=True)
        if v is None:
            continue
        if not isinstance(v, typ):
            die("`%s -o json`: expected a JSON %s, got %s" % (
                what, "object" if typ is dict else "array", type(v).__name__))
        head.append((k, v))
    nrepos = nbodies = 0
    with open(out, "w", encoding="utf-8") as w:
        w.write("{\n")
        for k, v in head:
            w.write("  %s: %s,\n" % (json.dumps(k), indent(json.dumps(v, indent=2), 2)[2:]))
        w.write("  \"repositories\": [")
        for k, n in names_file(npath):
            d = os.path.join(part, "repos", k)
            repo = {"name": n,
                    "manifests": array(os.path.join(d, "m.json"), "list-metadata " + n, "manifests"),
                    "tags": array(os.path.join(d, "t.json"), "show-tags " + n, "tags")}
            if bodies == "1":
                bs = {}
                with open(os.path.join(d, "digests"), encoding="utf-8") as f:
                    ds = f.read().split()
                for dg in ds:
                    p = os.path.join(d, "bodies", dg[7:] + ".json")
                    what = "GET https://%s/v2/%s/manifests/%s" % (login, n, dg)
                    try:
                        with open(p, encoding="utf-8") as f:
                            body = json.loads(f.read())
                        if not isinstance(body, dict):
                            raise ValueError("expected a JSON object, got " + type(body).__name__)
                    except (OSError, UnicodeDecodeError, ValueError) as e:
                        try:
                            os.remove(p)
                        except OSError:
                            pass
                        die("`%s` did not give a manifest: %s (removed; run the same command "
                            "again to fetch it again)" % (what, e))
                    bs[dg] = body
                repo["bodies"] = bs
                nbodies += len(bs)
            w.write(("\n" if nrepos == 0 else ",\n") + indent(json.dumps(repo, indent=2), 4))
            nrepos += 1
        w.write("\n  ]\n}\n" if nrepos else "]\n}\n")
    print("%d %d" % (nrepos, nbodies))
else:
    die("internal: unknown helper command " + cmd)
'
py() { "$PY" -c "$PYHELPER" "$@"; }

py checkre "$repos_re"

# ---------------------------------------------------------------------------------------------
# Output, work directory and scratch files

case $out in */) die "output must be a file, not a directory: $out" ;; esac
[ -d "$out" ] && die "output must be a file, not a directory: $out"
out_dir=$(dirname -- "$out")
out_base=$(basename -- "$out")
[ -d "$out_dir" ] || die "output directory does not exist: $out_dir"
[ -w "$out_dir" ] || die "output directory is not writable: $out_dir"
PART="$out.partial"   # the work directory: repos/KEY/ per finished repository, run/ scratch
RUN="$PART/run"

tmp="" mon_pid="" keep_part=1
cleanup() {
  if [ -n "$mon_pid" ]; then kill "$mon_pid" 2>/dev/null || true; fi
  [ -z "$tmp" ] || rm -f -- "$tmp"
  rm -rf -- "$RUN" 2>/dev/null || true
  # a work directory without a finished repository is worth nothing: do not leave it behind
  if [ "$keep_part" = 0 ] || [ -z "$(ls -A -- "$PART/repos" 2>/dev/null)" ]; then
    rm -rf -- "$PART" 2>/dev/null || true
  fi
}

args_sig=$(printf 'registry=%s\nrepos=%s\nbodies=%s\n' "$reg" "$repos_re" "$bodies")
resumed=0
if [ -e "$PART" ] || [ -L "$PART" ]; then
  { [ -d "$PART" ] && [ ! -L "$PART" ]; } || die "$PART exists and is not a work directory; remove it"
  if [ "$restart" = 1 ]; then
    rm -rf -- "$PART"
  elif [ ! -f "$PART/args" ] || [ ! -f "$PART/exportedAt" ]; then
    die "$PART is not an export's work directory: remove it, or use --restart"
  elif [ "$(cat "$PART/args")" != "$args_sig" ]; then
    die "$PART holds an unfinished export with other arguments ($(tr '\n' ' ' <"$PART/args")): run that command again to resume it, or use --restart"
  else
    resumed=1
  fi
fi
if [ "$resumed" = 0 ]; then
  exported_at=${EXPORT_ACR_NOW:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
  mkdir -p -- "$PART/repos" || die "cannot create the work directory $PART"
  printf '%s\n' "$exported_at" >"$PART/exportedAt"
  printf '%s\n' "$args_sig" >"$PART/args"
else
  IFS= read -r exported_at <"$PART/exportedAt" || true
  [ -n "$exported_at" ] || die "$PART/exportedAt is empty: use --restart"
  mkdir -p -- "$PART/repos"
fi
# one export at a time per work directory
if command -v flock >/dev/null 2>&1; then
  exec 9>>"$PART/lock"
  flock -n 9 || die "another export is running into $PART"
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rm -rf -- "$RUN"
mkdir -p -- "$RUN/setup" "$RUN/w" || die "cannot create $RUN"
: >"$RUN/retries"
: >"$RUN/done"
tmp=$(mktemp "$out_dir/.$out_base.XXXXXX") || die "cannot create a temporary file in $out_dir"

# ---------------------------------------------------------------------------------------------
# Calls with retries. These functions also run in the xargs workers (exported below), which
# run without set -e and return non-zero on failure.

# is_transient ERRFILE: the error looks like throttling, a server error or a network hiccup
is_transient() {
  grep -Eiq -e 'too ?many ?requests|\b429\b|\b50[0-9]\b|service ?unavailable|bad ?gateway' \
    -e 'gateway ?time-?out|internal ?server ?error|timed ?out|time-?out|connection (reset|aborted|refused)' \
    -e 'temporar(il)?y unavailable|try again later|RemoteDisconnected|remote end closed' "$1"
}

# backoff N: sleep before retry N (1, 2, 3): DELAY, 2 DELAY, 4 DELAY
backoff() { sleep "$(awk -v d="$DELAY" -v n="$1" 'BEGIN { printf "%.3f", d * 2 ^ (n - 1) }')"; }

# az_call MODE OUTFILE ARGS...: run `az ARGS...` with stdout to OUTFILE, retrying transient
# failures. MODE "must": on failure print the command and az's stderr; MODE "may": print nothing
# (OUTFILE.err keeps the error). Returns az's status.
az_call() {
  local mode=$1 outfile=$2 rc attempt=0 cmdline
  shift 2
  while :; do
    rc=0
    az "$@" >"$outfile" 2>"$outfile.err" </dev/null 9>&- || rc=$?
    if [ "$rc" -eq 0 ]; then rm -f -- "$outfile.err"; return 0; fi
    cmdline="az$(printf ' %q' "$@")"
    if [ "$attempt" -lt 3 ] && is_transient "$outfile.err"; then
      attempt=$((attempt + 1))
      printf 'x' >>"$RUN/retries"
      [ "$QUIET" = 1 ] || printf '%s: retry %d of 3 (transient failure): %s: %s\n' "$PROG" \
        "$attempt" "$cmdline" "$(grep -m1 . "$outfile.err" | cut -c1-200)" >&2
      backoff "$attempt"
      continue
    fi
    if [ "$mode" = must ]; then
      { printf '%s: error: az command failed (exit status %d): %s\n' "$PROG" "$rc" "$cmdline"
        [ -s "$outfile.err" ] && sed 's/^/  | /' "$outfile.err"; } >&2
    fi
    return "$rc"
  done
}

# stop: tell the other workers to start nothing new
stop() { : >"$RUN/stop"; return 1; }

# repo_worker "KEY<TAB>NAME": list-metadata and show-tags of one repository into
# $PART/repos/KEY/ (m.json, t.json, and with --bodies an empty bodies/), renamed into place
# only when complete. (They are checked afterwards, all in one python3 run: checkrepos.)
repo_worker() {
  local key=${1%%$'\t'*} name=${1#*$'\t'} d
  [ -e "$RUN/stop" ] && return 0
  d="$RUN/w/$key"
  rm -rf -- "$d" && mkdir -p -- "$d" || stop || return 1
  az_call must "$d/m.json" acr manifest list-metadata -r "$REG" -n "$name" -o json || stop || return 1
  az_call must "$d/t.json" acr repository show-tags -n "$REG" --repository "$name" --detail -o json ||
    stop || return 1
  if [ "$BODIES" = 1 ]; then mkdir -- "$d/bodies" || stop || return 1; fi
  [ ! -e "$PART/repos/$key" ] && mv -- "$d" "$PART/repos/$key" || stop || return 1
  printf 'x' >>"$RUN/done"
}

# The registry's REST API wants an ACR access token. `az acr login --expose-token` gives an ACR
# refresh token (in "accessToken", and in "refreshToken" in newer az versions; about 3 hours),
# which POST https://LOGINSERVER/oauth2/token exchanges for an access token scoped to one
# repository (repository:REPO:pull; about 75 minutes). Files in $RUN/auth (mode 0600):
#   gen            the current refresh token's generation G (0, 1, 2, ...)
#   rt.G           refresh token G (no newline: curl --data-urlencode reads it from the file)
#   server.G       the login server
#   at.G.KEY       "Authorization: Bearer ACCESSTOKEN" for repository KEY (curl -H @FILE), so
#                  that no token appears on a command line

# login_token GEN: az acr login --expose-token into rt.GEN+1 and server.GEN+1, then GEN+1 into
# gen. Returns non-zero on failure (error printed).
login_token() {
  local next=$(($1 + 1)) f="$RUN/auth/login.$1"
  az_call must "$f" acr login -n "$REG" --expose-token -o json || return 1
  # shellcheck disable=SC2016  # Python source
  "$PY" -c '
import json, os, sys
os.umask(0o077)   # the token stays readable by this user only
what = "az acr login -n %s --expose-token -o json" % sys.argv[2]
try:
    v = json.load(open(sys.argv[1], encoding="utf-8"))
    tok = v.get("refreshToken") or v["accessToken"]
    login = v["loginServer"]
    if not isinstance(tok, str) or not tok or any(c in tok for c in "\r\n"): raise ValueError("accessToken")
    if not isinstance(login, str) or not login or any(c in login for c in "\t\r\n/"): raise ValueError("loginServer")
except Exception as e:
    sys.exit("export-acr.sh: error: `%s` gave no usable accessToken and loginServer (%s)" % (what, e))
with open(sys.argv[3], "w") as f:
    f.write(tok)
with open(sys.argv[4], "w") as f:
    f.write(login + "\n")
' "$f" "$REG" "$RUN/auth/rt.$next.tmp" "$RUN/auth/server.$next.tmp" || { rm -f -- "$f"; return 1; }
  rm -f -- "$f"
  mv -f -- "$RUN/auth/rt.$next.tmp" "$RUN/auth/rt.$next" &&
    mv -f -- "$RUN/auth/server.$next.tmp" "$RUN/auth/server.$next" &&
    printf '%s\n' "$next" >"$RUN/auth/gen.tmp" && mv -f -- "$RUN/auth/gen.tmp" "$RUN/auth/gen"
}

# refresh_token GEN: refresh token GEN was refused (HTTP 401): make sure a newer one exists. The
# first worker to get here logs in again, the others wait for it.
refresh_token() {
  local gen=$1 now i=0
  IFS= read -r now <"$RUN/auth/gen"
  [ "$now" != "$gen" ] && return 0
  if mkdir -- "$RUN/auth/lock.$gen" 2>/dev/null; then
    [ "$QUIET" = 1 ] ||
      printf '%s: the registry token has expired (HTTP 401): getting a new one (az acr login)\n' "$PROG" >&2
    login_token "$gen" || { : >"$RUN/auth/failed.$gen"; return 1; }
    return 0
  fi
  while [ $i -lt 6000 ]; do   # up to 10 minutes
    IFS= read -r now <"$RUN/auth/gen"
    [ "$now" != "$gen" ] && return 0
    [ -e "$RUN/auth/failed.$gen" ] && return 1
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# http_call ERRFILE OUTFILE WHAT CURL-ARGS...: curl -sS --fail, body to OUTFILE, retrying HTTP
# 429 and 5xx and network errors 3 times; sets HTTP to the status code; returns curl's status.
http_call() {
  local err=$1 outf=$2 what=$3 attempt=0 rc transient
  shift 3
  while :; do
    rc=0
    HTTP=$(curl -sS --fail --connect-timeout 30 --max-time 300 -o "$outf" -w '%{http_code}' "$@" \
      2>"$err" </dev/null) || rc=$?
    [ "$rc" -eq 0 ] && return 0
    rm -f -- "$outf"
    case $HTTP in
      429|5[0-9][0-9]) transient=1 ;;
      000|'') case $rc in 7|28|35|52|55|56) transient=1 ;; *) transient=0 ;; esac ;;
      *) transient=0 ;;
    esac
    if [ "$transient" = 1 ] && [ "$attempt" -lt 3 ]; then
      attempt=$((attempt + 1))
      printf 'x' >>"$RUN/retries"
      [ "$QUIET" = 1 ] || printf '%s: retry %d of 3 (transient failure, HTTP %s): %s\n' "$PROG" \
        "$attempt" "${HTTP:-000}" "$what" >&2
      backoff "$attempt"
      continue
    fi
    return "$rc"
  done
}

# http_error ERRFILE RC WHAT [NOTE]: the error message for a failed curl call
http_error() {
  { printf '%s: error: curl failed (exit status %d, HTTP %s%s): %s\n' "$PROG" "$2" "${HTTP:-000}" "${4:+, $4}" "$3"
    [ -s "$1" ] && sed 's/^/  | /' "$1"; } >&2
  rm -f -- "$1"
}

# exchange GEN NAME HEADERFILE ERRFILE: an access token for repository NAME from refresh token
# GEN into HEADERFILE. Returns 2 when the refresh token was refused (HTTP 401, nothing
# printed), 1 on another failure (error printed).
exchange() {
  local gen=$1 name=$2 hdr=$3 err=$4 server out at rc=0 what
  IFS= read -r server <"$RUN/auth/server.$gen"
  out="$hdr.$$.json"
  what="POST https://$server/oauth2/token (scope repository:$name:pull)"
  http_call "$err" "$out" "$what" --data-urlencode grant_type=refresh_token \
    --data-urlencode "service=$server" --data-urlencode "scope=repository:$name:pull" \
    --data-urlencode "refresh_token@$RUN/auth/rt.$gen" "https://$server/oauth2/token" || rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$HTTP" = 401 ] && { rm -f -- "$err"; return 2; }
    http_error "$err" "$rc" "$what"
    return 1
  fi
  at=$(sed -n 's/.*"access_token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$out" | head -n 1)
  rm -f -- "$out" "$err"
  if [ -z "$at" ]; then
    printf '%s: error: %s: no access_token in the answer\n' "$PROG" "$what" >&2
    return 1
  fi
  local tmph="$hdr.$$.tmp"
  (umask 077 && printf 'Authorization: Bearer %s\n' "$at" >"$tmph") && mv -f -- "$tmph" "$hdr"
}

ACCEPT='application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.artifact.manifest.v1+json, application/vnd.docker.distribution.manifest.v1+prettyjws'

# body_worker "KEY<TAB>NAME<TAB>DIGEST": GET the manifest into $PART/repos/KEY/bodies/HEX.json,
# retrying 429, 5xx and network errors. On HTTP 401 the access token is exchanged again, and
# when the refresh token is refused too, a new one is got (az acr login): once each per body.
body_worker() {
  local rest=${1#*$'\t'} key=${1%%$'\t'*} name digest gen server dest tmpf err rc erc hdr url
  local HTTP="" at_renewed=0 rt_renewed=0
  name=${rest%$'\t'*} digest=${rest##*$'\t'}
  [ -e "$RUN/stop" ] && return 0
  dest="$PART/repos/$key/bodies/${digest#sha256:}.json"
  tmpf="$dest.tmp.$$" err="$RUN/w/curl.$$.err"
  while :; do
    IFS= read -r gen <"$RUN/auth/gen"
    IFS= read -r server <"$RUN/auth/server.$gen"
    hdr="$RUN/auth/at.$gen.$key"
    if [ ! -s "$hdr" ]; then
      erc=0
      exchange "$gen" "$name" "$hdr" "$err" || erc=$?
      if [ "$erc" -eq 2 ] && [ "$rt_renewed" = 0 ]; then
        rt_renewed=1
        refresh_token "$gen" && continue
        printf '%s: error: could not get a new registry token after HTTP 401\n' "$PROG" >&2
        stop; return 1
      fi
      if [ "$erc" -eq 2 ]; then
        printf '%s: error: the registry refused a new token too (HTTP 401): POST https://%s/oauth2/token (scope repository:%s:pull)\n' \
          "$PROG" "$server" "$name" >&2
      fi
      [ "$erc" -eq 0 ] || { stop; return 1; }
    fi
    url="https://$server/v2/$name/manifests/$digest"
    rc=0
    http_call "$err" "$tmpf" "GET $url" -H @"$hdr" -H "Accept: $ACCEPT" "$url" || rc=$?
    if [ "$rc" -eq 0 ]; then
      mv -f -- "$tmpf" "$dest" || { rm -f -- "$tmpf" "$err"; stop; return 1; }
      rm -f -- "$err"
      printf 'x' >>"$RUN/done"
      return 0
    fi
    if [ "$HTTP" = 401 ] && [ "$at_renewed" = 0 ]; then
      at_renewed=1
      rm -f -- "$hdr" "$err"
      continue
    fi
    http_error "$err" "$rc" "GET $url" "$([ "$HTTP" = 401 ] && echo 'also with a new token')"
    stop
    return 1
  done
}

# monitor WHAT TOTAL BASE: a progress line at most once a second while the count changes
monitor() {
  local what=$1 total=$2 base=$3 n r last=""
  while sleep 1; do
    n=$((base + $(wc -c <"$RUN/done"))) r=$(wc -c <"$RUN/retries")
    [ "$n $r" = "$last" ] && continue
    last="$n $r"
    progress "$what" "$total" "$n" "$r"
  done
}
progress() {
  local pct=1000
  [ "$2" -gt 0 ] && pct=$(($3 * 1000 / $2))
  printf '%s: %d/%d %s (%d.%d%%), %d failed retries\n' "$PROG" "$3" "$2" "$1" \
    $((pct / 10)) $((pct % 10)) "$4" >&2
}

export -f monitor progress is_transient backoff az_call stop repo_worker login_token refresh_token http_call http_error \
  exchange body_worker
# shellcheck disable=SC2090  # PYHELPER is Python source passed as one argument
export PROG PY PYHELPER RUN PART ACCEPT
export REG="$reg" BODIES="$bodies" QUIET="$quiet" DELAY="$delay"

# parallel WHAT TOTAL BASE WORKER LISTFILE: run WORKER on each line of LISTFILE, -j at a time,
# with progress; returns non-zero when a worker failed.
parallel() {
  local what=$1 total=$2 base=$3 worker=$4 list=$5 rc=0
  : >"$RUN/done"
  # (fd 9 holds the work directory's lock: only this shell keeps it)
  # The monitor is a bash of its own, not a subshell: a subshell killed before it has reset the
  # inherited traps would run this shell's cleanup.
  if [ "$quiet" = 0 ] && [ -s "$list" ]; then
    "${BASH:-bash}" -c 'monitor "$@"' _ "$what" "$total" "$base" 9>&- & mon_pid=$!
  fi
  if [ -s "$list" ]; then
    tr '\n' '\0' <"$list" | xargs -0 -n 1 -P "$jobs" "${BASH:-bash}" -c "$worker \"\$1\"" _ 9>&- || rc=$?
  fi
  if [ -n "$mon_pid" ]; then kill "$mon_pid" 2>/dev/null || true; wait "$mon_pid" 2>/dev/null || true; mon_pid=""; fi
  [ "$quiet" = 1 ] || progress "$what" "$total" $((base + $(wc -c <"$RUN/done"))) "$(wc -c <"$RUN/retries")"
  [ "$rc" -eq 0 ] && [ ! -e "$RUN/stop" ]
}

# ---------------------------------------------------------------------------------------------
# Export

t_start=$(date +%s)
if [ "$resumed" = 1 ]; then
  say "resuming the export of registry $reg started $exported_at (work directory $PART)"
else
  say "exporting registry $reg (started $exported_at, $jobs at a time)"
fi

S="$RUN/setup"
az_call must "$S/show.json" acr show -n "$reg" -o json || exit 1
IFS=$'\t' read -r login sku < <(py show "$S/show.json" "az acr show -n $reg -o json") || exit 1
[ -n "$login" ] || exit 1
az_call must "$S/tasks.json" acr task list -r "$reg" -o json || exit 1
# optional_setup FILE KEY ARGS...: the key is omitted from the bundle when the call fails
optional_setup() {
  local file=$1 key=$2
  shift 2
  local msg
  if ! az_call may "$file" "$@"; then
    msg=$(grep -m1 . "$file.err" | cut -c1-300)
    case $msg in   # expected below Premium: not worth a warning
      *"only supported for managed registries in Premium SKU"*) say "\"$key\" left out of the bundle: $msg" ;;
      *) warn "\`az $*\` failed, \"$key\" left out of the bundle: $msg" ;;
    esac
    rm -f -- "$file" "$file.err"
  elif ! grep -q '[^[:space:]]' "$file"; then
    warn "\`az $*\` printed nothing, \"$key\" left out of the bundle"
    rm -f -- "$file"
  fi
}
optional_setup "$S/retention.json" retentionPolicy acr config retention show -r "$reg" -o json
optional_setup "$S/softdelete.json" softDeletePolicy acr config soft-delete show -r "$reg" -o json
optional_setup "$S/replications.json" replications acr replication list -r "$reg" -o json
say "setup: acrShow, tasks$(for k in retention:retentionPolicy softdelete:softDeletePolicy replications:replications; do
  [ -e "$S/${k%%:*}.json" ] && printf ', %s' "${k#*:}"; done)"

az_call must "$RUN/repos.json" acr repository list -n "$reg" -o json || exit 1
py names "$RUN/repos.json" "az acr repository list -n $reg -o json" "$repos_re" >"$RUN/names"
nrepos=$(wc -l <"$RUN/names")
nrepos=$((nrepos + 0))
[ "$nrepos" -gt 0 ] || say "warning: no repository matches --repos '$repos_re'"

# the repositories still to export: those without a finished directory
: >"$RUN/todo"
have=0
while IFS= read -r line; do
  if [ -d "$PART/repos/${line%%$'\t'*}" ]; then have=$((have + 1)); else printf '%s\n' "$line" >>"$RUN/todo"; fi
done <"$RUN/names"
[ "$resumed" = 1 ] && say "resumed $have of $nrepos repositories from $PART"
phase_ok=1
parallel repositories "$nrepos" "$have" repo_worker "$RUN/todo" || phase_ok=0
py checkrepos "$PART" "$RUN/names" "$reg" || phase_ok=0
if [ "$phase_ok" = 0 ]; then
  die "export incomplete ($(find "$PART/repos" -mindepth 1 -maxdepth 1 | wc -l) of $nrepos repositories done, kept in $PART): run the same command again to resume"
fi

nbodies=0
if [ "$bodies" = 1 ]; then
  py bodylist "$PART" "$RUN/names" >"$RUN/bodies.todo" 3>"$RUN/bodies.count"
  read -r nbodies bhave <"$RUN/bodies.count"
  [ "$resumed" = 1 ] && [ "$bhave" -gt 0 ] && say "resumed $bhave of $nbodies manifest bodies from $PART"
  if [ -s "$RUN/bodies.todo" ]; then
    mkdir -p -- "$RUN/auth"
    (umask 077; printf '0\n' >"$RUN/auth/gen")
    (umask 077; login_token 0) || die "export incomplete: could not get a registry token; run the same command again to resume"
    if ! parallel "manifest bodies" "$nbodies" "$bhave" body_worker "$RUN/bodies.todo"; then
      die "export incomplete (the bodies fetched so far are kept in $PART): run the same command again to resume"
    fi
  fi
fi

counts=$(py assemble "$tmp" "$PART" "$RUN/names" "$S" "$login" "$exported_at" "$sku" "$bodies" "$login") ||
  die "export incomplete: $PART is kept; run the same command again to resume"
if [ "$to_stdout" = 1 ]; then
  cat -- "$tmp" || die "export incomplete: cannot write the bundle to standard output; $PART is kept"
  rm -f -- "$tmp"
  out="standard output"   # for the summary below
else
  # mktemp made the file 0600: give it the mode a plain redirection would have.
  chmod "$(printf '%o' $((0666 & ~$(umask))))" "$tmp"
  mv -f -- "$tmp" "$out"
fi
tmp=""
keep_part=0
retries=$(wc -c <"$RUN/retries")
say "wrote $out: $nrepos repositories$([ "$resumed" = 1 ] && echo " ($have resumed)")$([ "$bodies" = 1 ] && echo ", ${counts#* } manifest bodies"), $((retries + 0)) failed retries, $(($(date +%s) - t_start)) s, exportedAt $exported_at"
