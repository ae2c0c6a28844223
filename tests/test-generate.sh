#!/usr/bin/env bash
# The defining properties of `purgesim generate --profile churn` (the heavy-CI-churn registry
# that benchmarks replay against), checked on the bundle itself with jq: more than half of the
# manifests untagged at export time, most repositories pushed on most days of the history, a
# moving `nightly` tag in every repository; the profile named in the bundle's generator object
# (and the default's bundle unchanged by it, which tests/cases/generate-tiny pins byte for byte);
# the same options give the same bytes; an unknown profile is a usage error.
# Prints "planned N", then "ok NAME" / "FAIL NAME" lines for tests/run-all.sh; exits 1 when a
# check failed.
set -u
cd "$(dirname "$0")/.." || exit 1
export TZ=UTC LC_ALL=C
BIN=${BIN:-$PWD/purgesim}
PLANNED=7
echo "planned $PLANNED"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok generate/$1"; }
fail() {
  echo "FAIL generate/$1"
  shift
  printf '  %s\n' "$@"
  fails=$((fails + 1))
}
# check NAME COMMAND...: ok when COMMAND succeeds
check() {
  local name=$1
  shift
  if "$@" 2>"$tmp/err"; then ok "$name"; else fail "$name" "exit $?: $*" "$(head -3 "$tmp/err")"; fi
}

days=365
check churn "$BIN" generate --profile churn --scale small --seed 5 --days "$days" -o "$tmp/churn.json"
check churn-same-bytes sh -c '"$1" generate --profile churn --scale small --seed 5 --days "$2" -o "$3" && cmp -s "$3" "$4"' \
  sh "$BIN" "$days" "$tmp/churn2.json" "$tmp/churn.json"

if ! command -v jq >/dev/null 2>&1; then
  # the property checks need jq (make deps installs it): fail them rather than skip silently
  for n in untagged-majority pushed-daily moving-tag profile-named; do fail "$n" "jq is not installed"; done
else
  # more than half of all manifests carry no tag at export time
  read -r untagged total < <(jq -r '[.repositories[].manifests[]] | "\(map(select((.tags // []) == [])) | length) \(length)"' "$tmp/churn.json")
  if [ "${total:-0}" -gt 0 ] && [ $((untagged * 2)) -gt "$total" ]; then ok untagged-majority
  else fail untagged-majority "untagged $untagged of $total manifests: not more than half"; fi

  # per repository, the UTC days with at least one push; "most days" is 80% of the history's
  # days, "most repositories" 80% of them
  read -r daily repos < <(jq -r --argjson days "$days" '
    [.repositories[] | [.manifests[].createdTime[0:10]] | unique | length]
    | "\(map(select(. >= $days * 0.8)) | length) \(length)"' "$tmp/churn.json")
  if [ "${repos:-0}" -gt 0 ] && [ $((daily * 5)) -ge $((repos * 4)) ]; then ok pushed-daily
  else fail pushed-daily "$daily of $repos repositories pushed on at least 80% of $days days"; fi

  # every repository has its moving nightly tag, on its newest nightly build
  missing=$(jq -r '[.repositories[] | select([.tags[].name] | index("nightly") | not) | .name] | join(" ")' "$tmp/churn.json")
  if [ -z "$missing" ]; then ok moving-tag; else fail moving-tag "no nightly tag in: $missing"; fi

  # the bundle says which profile made it; a default bundle has no such key
  "$BIN" generate --scale tiny -o "$tmp/default.json" 2>/dev/null
  p_churn=$(jq -r '.generator.profile // "none"' "$tmp/churn.json")
  p_default=$(jq -r '.generator.profile // "none"' "$tmp/default.json" 2>/dev/null)
  if [ "$p_churn" = churn ] && [ "$p_default" = none ]; then ok profile-named
  else fail profile-named "generator.profile: churn bundle \"$p_churn\", default bundle \"$p_default\""; fi
fi

# an unknown profile: exit 2 and a line naming the choices, nothing written
"$BIN" generate --profile heavy --scale tiny -o "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'default' "$tmp/err" && grep -q 'churn' "$tmp/err" && [ ! -e "$tmp/bad.json" ]; then
  ok bad-profile
else fail bad-profile "exit $rc (expected 2)" "$(head -2 "$tmp/err")"; fi

[ "$fails" -eq 0 ]
