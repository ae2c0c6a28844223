#!/usr/bin/env bash
# export-acr.sh - export an Azure Container Registry's metadata as a purgesim bundle
# (data/EXPORT-FORMAT.md, version 1) using the real az CLI.
#
# Requirements:
#   az       the Azure CLI, logged in (az login) with read access to the registry.
#   python3  for JSON assembly and checks (standard library only). We use python3 rather than
#            jq: jq is not installed on a fresh Debian machine, python3 nearly always is, and the
#            az CLI itself runs on Python. When python3 is not on PATH, the interpreter bundled
#            with the az CLI packages (/opt/az/bin/python3) is used.
#
# What it runs (every call with -o json or -o tsv, stdin from /dev/null):
#   az acr show -n REG --query loginServer -o tsv          -> "registry"
#   az acr show -n REG --query sku.name -o tsv             -> "sku"
#   az acr repository list -n REG -o json                  -> repository names
#   per repository REPO:
#     az acr manifest list-metadata -r REG -n REPO -o json            -> "manifests"
#     az acr repository show-tags -n REG --repository REPO --detail -o json  -> "tags"
#     with --bodies, per manifest DIGEST:
#       az acr manifest show -r REG -n REPO@DIGEST -o json            -> "bodies"[DIGEST]
#
# The bundle is written repository by repository to a temporary file next to OUT and renamed
# to OUT only when everything succeeded: a failed or interrupted export leaves no output file
# (and an existing OUT untouched).
set -euo pipefail

PROG=export-acr.sh

usage() {
  cat <<'EOF'
usage: export-acr.sh -r REGISTRY [-o OUT.json] [--bodies] [--repos REGEX] [-q]

Export the manifests and tags of every repository of an Azure Container Registry into one
purgesim bundle (JSON), using the az CLI (logged in) and python3.

  -r, --registry NAME   registry name as az knows it (e.g. devreg)
  -o, --output FILE     bundle to write (default: NAME.json, NAME cut at the first dot)
      --bodies          also fetch every manifest body (az acr manifest show), one call per
                        manifest: needed for exact, deduplicated storage figures, slow on big
                        registries
      --repos REGEX     only repositories whose whole name matches REGEX (Python regular
                        expression, anchored at both ends like the repository part of an
                        acr purge filter), e.g. 'team-a/.*'
  -q, --quiet           no progress messages
  -h, --help            show this help

exportedAt is the UTC time at which the export started. Exit status: 0 on success, 1 on any
failure (the failing az command and its error are printed), 2 on bad usage.

Example:
  az login
  data/export-acr.sh -r devreg -o devreg.json --bodies
  purgesim dry-run -i devreg.json -- acr purge --filter '.*:.*' --ago 30d --untagged
EOF
}

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
usage_error() { printf '%s: %s\n(see %s --help)\n' "$PROG" "$*" "$PROG" >&2; exit 2; }
say() { [ "$quiet" = 1 ] || printf '%s: %s\n' "$PROG" "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Arguments

reg="" out="" bodies=0 repos_re=".*" quiet=0
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    -r|--registry|-o|--output|--repos)
      [ $# -ge 2 ] || usage_error "option $1 needs a value"
      case $1 in
        -r|--registry) reg=$2 ;;
        -o|--output) out=$2 ;;
        --repos) repos_re=$2 ;;
      esac
      shift 2 ;;
    --registry=*) reg=${1#*=}; shift ;;
    --output=*) out=${1#*=}; shift ;;
    --repos=*) repos_re=${1#*=}; shift ;;
    --bodies) bodies=1; shift ;;
    -q|--quiet) quiet=1; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[ -n "$reg" ] || usage_error "missing -r REGISTRY"
[ -n "$out" ] || out="${reg%%.*}.json"

exported_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)

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

# JSON helper: every JSON read and write goes through it.  Subcommands:
#   checkre REGEX
#   names FILE WHAT REGEX                 -> matching repository names, one per line, sorted
#   header REGISTRY EXPORTEDAT SKU        -> the bundle up to and including '"repositories": ['
#   digests FILE WHAT                     -> manifest digests, one per line
#   repo FIRST NAME MFILE MWHAT TFILE TWHAT [DIGESTS BODYDIR REG]
#                                         -> one repository object, indented, with its separator
# WHAT is the az command that produced FILE, for error messages.
# shellcheck disable=SC2016  # Python source, not shell
PYHELPER='
import json, os, re, sys
PROG = "export-acr.sh"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z")

def die(msg):
    sys.stderr.write("%s: error: %s\n" % (PROG, msg))
    sys.exit(1)

def load(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        die("cannot read the output of `%s`: %s" % (what, e))
    if not text.strip():
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

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "checkre":
    try:
        re.compile(args[0])
    except re.error as e:
        die("invalid --repos regular expression %r: %s" % (args[0], e))
elif cmd == "names":
    path, what, regex = args
    names = array(path, what, "repositories")
    for n in names:
        if not isinstance(n, str) or not n or "\n" in n:
            die("`%s`: unexpected repository name %r" % (what, n))
    rx = re.compile(regex)
    for n in sorted(set(names)):
        if rx.fullmatch(n):
            print(n)
elif cmd == "header":
    registry, exported, sku = args
    sys.stdout.write("{\n  \"registry\": %s,\n  \"exportedAt\": %s,\n" % (
        json.dumps(registry), json.dumps(exported)))
    if sku:
        sys.stdout.write("  \"sku\": %s,\n" % json.dumps(sku))
    sys.stdout.write("  \"repositories\": [")
elif cmd == "digests":
    path, what = args
    for i, m in enumerate(array(path, what, "manifests")):
        d = m.get("digest") if isinstance(m, dict) else None
        if not isinstance(d, str) or not DIGEST.match(d):
            die("`%s`: [%d].digest: expected sha256 plus 64 hex digits, got %r" % (what, i, d))
        print(d)
elif cmd == "repo":
    first, name, mpath, mwhat, tpath, twhat = args[:6]
    manifests = array(mpath, mwhat, "manifests")
    for i, m in enumerate(manifests):
        if not isinstance(m, dict):
            die("`%s`: [%d]: expected an object" % (mwhat, i))
    tags = array(tpath, twhat, "tags")
    repo = {"name": name, "manifests": manifests, "tags": tags}
    if len(args) > 6:
        dpath, bdir, reg = args[6:9]
        with open(dpath, encoding="utf-8") as f:
            digests = f.read().split()
        bodies = {}
        for i, d in enumerate(digests):
            what = "az acr manifest show -r %s -n %s@%s -o json" % (reg, name, d)
            body = load("%s/%d.json" % (bdir, i), what)
            if not isinstance(body, dict):
                die("`%s`: expected a JSON object, got %s" % (what, type(body).__name__))
            bodies[d] = body
        repo["bodies"] = bodies
    sys.stdout.write(("\n" if first == "1" else ",\n") + indent(json.dumps(repo, indent=2), 4))
    if not os.environ.get("EXPORT_ACR_QUIET"):
        sys.stderr.write("%s: [%s] %s: %d manifests, %d tags%s\n" % (
            PROG, os.environ.get("EXPORT_ACR_PROGRESS", "?"), name, len(manifests), len(tags),
            ", %d bodies" % len(repo["bodies"]) if "bodies" in repo else ""))
else:
    die("internal: unknown helper command " + cmd)
'
py() { "$PY" -c "$PYHELPER" "$@"; }

py checkre "$repos_re"

# ---------------------------------------------------------------------------------------------
# Output and scratch files; removed on any exit that did not complete the export.

case $out in */) die "output must be a file, not a directory: $out" ;; esac
[ -d "$out" ] && die "output must be a file, not a directory: $out"
out_dir=$(dirname -- "$out")
out_base=$(basename -- "$out")
[ -d "$out_dir" ] || die "output directory does not exist: $out_dir"
[ -w "$out_dir" ] || die "output directory is not writable: $out_dir"

work="" tmp=""
cleanup() {
  [ -z "$tmp" ] || rm -f -- "$tmp"
  [ -z "$work" ] || rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
work=$(mktemp -d "${TMPDIR:-/tmp}/export-acr.XXXXXX") || die "cannot create a scratch directory"
tmp=$(mktemp "$out_dir/.$out_base.XXXXXX") || die "cannot create a temporary file in $out_dir"
[ "$quiet" = 1 ] && export EXPORT_ACR_QUIET=1

# az_run OUTFILE ARGS...: run `az ARGS...` with stdout to OUTFILE; on failure name the command,
# show what az printed on stderr, and exit 1.
az_run() {
  local outfile=$1 rc=0
  shift
  az "$@" >"$outfile" 2>"$work/az.stderr" </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '%s: error: az command failed (exit status %d): az%s\n' "$PROG" "$rc" \
      "$(printf ' %q' "$@")" >&2
    if [ -s "$work/az.stderr" ]; then sed 's/^/  | /' "$work/az.stderr" >&2; fi
    exit 1
  fi
}

# first_line FILE WHAT: the first line of a tsv answer, which must not be empty
first_line() {
  local line=""
  IFS= read -r line <"$1" || true
  line=${line%$'\r'}
  [ -n "$line" ] || die "\`$2\` printed nothing"
  printf '%s' "$line"
}

# ---------------------------------------------------------------------------------------------
# Export

say "exporting registry $reg (started $exported_at)"
az_run "$work/login" acr show -n "$reg" --query loginServer -o tsv
login=$(first_line "$work/login" "az acr show -n $reg --query loginServer -o tsv")
az_run "$work/sku" acr show -n "$reg" --query sku.name -o tsv
sku=$(first_line "$work/sku" "az acr show -n $reg --query sku.name -o tsv")

az_run "$work/repos.json" acr repository list -n "$reg" -o json
py names "$work/repos.json" "az acr repository list -n $reg -o json" "$repos_re" >"$work/names"
nrepos=$(wc -l <"$work/names")
nrepos=$((nrepos + 0))
[ "$nrepos" -gt 0 ] || say "warning: no repository matches --repos '$repos_re'"

py header "$login" "$exported_at" "$sku" >>"$tmp"
first=1
i=0
while IFS= read -r repo <&3; do
  i=$((i + 1))
  export EXPORT_ACR_PROGRESS="$i/$nrepos"
  m_what="az acr manifest list-metadata -r $reg -n $repo -o json"
  t_what="az acr repository show-tags -n $reg --repository $repo --detail -o json"
  az_run "$work/m.json" acr manifest list-metadata -r "$reg" -n "$repo" -o json
  az_run "$work/t.json" acr repository show-tags -n "$reg" --repository "$repo" --detail -o json
  if [ "$bodies" = 1 ]; then
    py digests "$work/m.json" "$m_what" >"$work/digests"
    rm -rf -- "$work/bodies"
    mkdir -- "$work/bodies"
    n=0
    while IFS= read -r d <&4; do
      az_run "$work/bodies/$n.json" acr manifest show -r "$reg" -n "$repo@$d" -o json
      n=$((n + 1))
    done 4<"$work/digests"
    py repo "$first" "$repo" "$work/m.json" "$m_what" "$work/t.json" "$t_what" \
      "$work/digests" "$work/bodies" "$reg" >>"$tmp"
  else
    py repo "$first" "$repo" "$work/m.json" "$m_what" "$work/t.json" "$t_what" >>"$tmp"
  fi
  first=0
done 3<"$work/names"

if [ "$first" = 1 ]; then printf ']\n}\n' >>"$tmp"; else printf '\n  ]\n}\n' >>"$tmp"; fi

# mktemp made the file 0600: give it the mode a plain redirection would have.
chmod "$(printf '%o' $((0666 & ~$(umask))))" "$tmp"
mv -f -- "$tmp" "$out"
tmp=""
say "wrote $out: $nrepos repositories, exportedAt $exported_at"
