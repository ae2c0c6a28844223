#!/usr/bin/env bash
# The pull request comment of data/github/purgesim-pr.yml: what a change to the policy file
# costs and saves.
#
# usage: pr-cost.sh (-r REGISTRY [--bodies] | -i BUNDLE) --base BASE --head HEAD [--name PATH]
#                   [-o COMMENT.md] [-- PURGESIM-OPTIONS...]
#
# Exports the registry with data/export-acr.sh (or takes a bundle with -i) and runs
# `purgesim simulate` on the same export with the policy file as it is at the pull request's
# base (BASE) and at its head (HEAD): once with --format markdown (the tables in the comment) and
# once with --format json (the figures compared). The comment (Markdown) gives, per policy, the
# saving per month against deleting nothing before and after the change and the difference,
# the policies saving the most before and after (every one of them on a tie), then both
# simulate tables. A BASE that does not exist is a policy file new in the pull request, a HEAD
# that does not exist one it deletes.
#
#   -r, --registry NAME   the registry to export (az acr name)
#       --bodies          export manifest bodies too
#   -i, --input BUNDLE    an existing export instead
#       --base FILE       the policy file at the base (may not exist)
#       --head FILE       the policy file at the head (may not exist)
#       --name PATH       the policy file's path in the repository, for the comment (default HEAD)
#   -o, --output FILE     the comment (default, or -: standard output)
#   -- OPTIONS            passed to both purgesim simulate runs (e.g. --from 2026-10-01)
#
# Environment: PURGESIM (default purgesim on PATH), EXPORT_ACR (default data/export-acr.sh of
# this tree). Exit status: 0 written, 1 the export or purgesim failed, 2 bad usage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PURGESIM=${PURGESIM:-purgesim}
EXPORT_ACR=${EXPORT_ACR:-$here/../export-acr.sh}

usage() { sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2; echo "Try '$0 --help'." >&2; exit 2; }
die() { echo "pr-cost: $1" >&2; exit "${2:-1}"; }   # die MESSAGE [STATUS]

registry="" bundle="" base="" head="" name="" out="" bodies=() extra=() have_base=0 have_head=0
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -r|--registry) [ $# -ge 2 ] || usage; registry=$2; shift 2 ;;
    --bodies) bodies=(--bodies); shift ;;
    -i|--input) [ $# -ge 2 ] || usage; bundle=$2; shift 2 ;;
    --base) [ $# -ge 2 ] || usage; base=$2; have_base=1; shift 2 ;;
    --head) [ $# -ge 2 ] || usage; head=$2; have_head=1; shift 2 ;;
    --name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
    -o|--output) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "pr-cost: unknown argument: $1" >&2; usage ;;
  esac
done
if [ -n "$registry" ] && [ -n "$bundle" ]; then die "give -r REGISTRY or -i BUNDLE, not both" 2; fi
if [ -z "$registry" ] && [ -z "$bundle" ]; then die "no registry: give -r REGISTRY (or -i BUNDLE)" 2; fi
if [ "$have_base" = 0 ] || [ "$have_head" = 0 ]; then die "give --base FILE and --head FILE" 2; fi
if [ ! -f "$base" ] && [ ! -f "$head" ]; then die "neither --base $base nor --head $head exists" 2; fi
name=${name:-$head}
command -v "$PURGESIM" >/dev/null || die "purgesim not found (data/github/build-purgesim.sh builds it; or set PURGESIM)"
command -v python3 >/dev/null || die "python3 not found"

work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/pr-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -n "$registry" ]; then
  echo "pr-cost: exporting $registry" >&2
  bash "$EXPORT_ACR" -r "$registry" -o "$work/${registry%%.*}.json" -q "${bodies[@]}" ||
    die "the export of $registry failed"
  bundle=$work/${registry%%.*}.json
fi

# side NAME FILE: the simulate table and figures of one side, in $work/NAME.md and NAME.json
side() {
  [ -f "$2" ] || return 0
  "$PURGESIM" simulate -q -i "$bundle" -p "$2" --format markdown "${extra[@]}" >"$work/$1.md" ||
    die "purgesim simulate --format markdown failed on the $1 policy file"
  "$PURGESIM" simulate -q -i "$bundle" -p "$2" --format json "${extra[@]}" >"$work/$1.json" ||
    die "purgesim simulate --format json failed on the $1 policy file"
}
side base "$base"
side head "$head"

python3 - "$work" "$name" >"$work/comment.md" <<'PY' || die "cannot write the comment"
import json, os, sys

work, name = sys.argv[1:3]

def load(side):
    p = os.path.join(work, side + ".json")
    if not os.path.exists(p):
        return None, None
    with open(p, encoding="utf-8") as f:
        d = json.load(f)
    with open(os.path.join(work, side + ".md"), encoding="utf-8") as f:
        md = f.read().rstrip("\n")
    return d, md

base, base_md = load("base")
head, head_md = load("head")
doc = head or base
cur = doc.get("currency", "")
BUILTIN = ("baseline", "current")

def savings(d):
    return {p["name"]: p.get("saving_per_month") for p in d["policies"]} if d else {}

sb, sh = savings(base), savings(head)
# two decimals, four when every figure is below one (a small registry's cents)
big = max([abs(v or 0) for v in list(sb.values()) + list(sh.values())] + [0]) >= 1
DEC = 2 if big else 4
EPS = 0.5 * 10 ** -DEC

def money(x):
    return "–" if x is None else "%.*f" % (DEC, x)

def best(d):
    """The policies that save the most, and that saving: a tie is a saving that prints the same
    (naming one of them would rest on a difference the comment does not show); the tied are
    named least stored at the end first, then in file order."""
    cands = [p for p in (d or {}).get("policies", []) if p["name"] not in BUILTIN]
    if not cands:
        return [], 0.0
    top = max(p.get("saving_per_month") or 0 for p in cands)
    tied = [p for p in cands if money(p.get("saving_per_month") or 0) == money(top)]
    tied.sort(key=lambda p: p.get("end_units") or 0)
    return [p["name"] for p in tied], top

def named(names):
    """**a**, "**a** and **b**", "**a**, **b** and **c**"; none: "none"."""
    if not names:
        return "none"
    bold = ["**%s**" % n for n in names]
    return bold[0] if len(bold) == 1 else ", ".join(bold[:-1]) + " and " + bold[-1]

def saves(names, x):
    return "saves %s %s/month" % (money(x), cur) if len(names) < 2 else "each saves %s %s/month" % (money(x), cur)

def signed(x):
    return "%+.*f" % (DEC, x) if abs(x) >= EPS else "%.*f" % (DEC, 0)

out = ["<!-- purgesim-pr-cost -->", "### purgesim: the cost of this change to `%s`" % name, ""]
out.append("Registry %s, replayed %s to %s (%s whole days); saving per month is storage money "
           "against deleting nothing, averaged over those days, in %s." % (
               doc.get("registry"), doc.get("from"), doc.get("to"), doc.get("days"), cur))
out.append("")
if base is None:
    out += ["The policy file is **new** in this pull request.", ""]
elif head is None:
    out += ["This pull request **deletes** the policy file.", ""]
(nb, before), (nh, after) = best(base), best(head)
if nb or nh:
    out.append("Best before: %s (%s); after: %s (%s). **Change in saving: %s %s per month.**" % (
        named(nb), saves(nb, before), named(nh), saves(nh, after), signed(after - before), cur))
    out.append("")
out.append("| policy | saving %s/mo before | saving %s/mo after | change %s/mo | |" % (cur, cur, cur))
out.append("|---|---:|---:|---:|---|")
names = [p["name"] for p in (base or {}).get("policies", [])]
names += [p["name"] for p in (head or {}).get("policies", []) if p["name"] not in names]
for n in names:
    b, h = sb.get(n), sh.get(n)
    if n in sb and n in sh:
        what = "unchanged" if abs((h or 0) - (b or 0)) < EPS else "changed"
        ch = signed((h or 0) - (b or 0))
    elif n in sh:
        what, ch = "added", signed(h or 0)
    else:
        what, ch = "removed", signed(-(b or 0))
    if n in BUILTIN:
        what = "deletes nothing" if n == "baseline" else "the registry's own purge setup"
    out.append("| %s | %s | %s | %s | %s |" % (n, money(b) if n in sb else "–", money(h) if n in sh else "–", ch, what))
out.append("")
for title, md, opened in (("Before (base)", base_md, False), ("After (this pull request)", head_md, True)):
    if md is None:
        continue
    out += ["<details%s><summary>%s: purgesim simulate</summary>" % (" open" if opened else "", title), "", md, "",
            "</details>", ""]
out.append("<sub>purgesim simulate -p the policy file, on the same export for both sides "
           "(pricing of %s).</sub>" % doc.get("pricing_date"))
print("\n".join(out))
PY
# "-" is standard output, as for purgesim's -o
if [ -n "$out" ] && [ "$out" != - ]; then cp "$work/comment.md" "$out"; else cat "$work/comment.md"; fi
