#!/usr/bin/env bash
# Writes a file as it is at a git revision, for data/github/purgesim-pr.yml (the policy file at
# the pull request's base).
#
# usage: policy-at.sh REV PATH OUT
#
# OUT gets PATH's content at REV. When PATH does not exist at REV (a policy file new in the pull
# request), OUT is removed and the script says so and succeeds: pr-cost.sh then reports the file
# as new. Exit status: 0 done, 1 REV is unknown, 2 bad usage.
set -euo pipefail
if [ $# -ne 3 ]; then sed -n '5p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2; exit 2; fi
rev=$1 path=$2 out=$3
git rev-parse --verify --quiet "$rev^{commit}" >/dev/null ||
  { echo "policy-at: unknown revision $rev (check out with fetch-depth: 0)" >&2; exit 1; }
rm -f "$out"
trap 'rm -f "$out.tmp"' EXIT   # a failed git show leaves no half file behind
if git cat-file -e "$rev:$path" 2>/dev/null; then
  git show "$rev:$path" >"$out.tmp" && mv "$out.tmp" "$out"
  echo "policy-at: $path at ${rev:0:12} -> $out" >&2
else
  echo "policy-at: $path does not exist at ${rev:0:12}: new in this pull request" >&2
fi
