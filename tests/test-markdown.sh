#!/usr/bin/env bash
# The golden Markdown (tests/cases/markdown-*/ and risk-markdown-*/expected.out) renders as GitHub renders it:
# cmark-gfm with GitHub's extensions turns each into HTML, and for each file
#  - every table row in the Markdown has as many cells as its header (split at unescaped '|'
#    as GFM splits them), and the HTML has the same tables with the same rows;
#  - the HTML holds only the elements purgesim writes (headings, paragraphs, bold, code,
#    tables, lists, details/summary): no link, image, emphasis, strikethrough or raw HTML from
#    a name, and no '<' outside those tags;
#  - it is shorter than a GitHub comment's 65,536 characters;
#  - when the case has a names.json, every repository and tag name shows in the rendered text
#    as it is (control characters as \n, \t).
# Then the same checks on a dry run over a generated registry that deletes thousands: its lists
# are cut ("… and N more") and it stays short.
# Prints "planned N" (one check per file, and the long dry run), "ok md/NAME" or "FAIL md/NAME: why"; exits 1 on a failure.
set -u
cd "$(dirname "$0")/.." || exit 1
export LC_ALL=C.UTF-8 TZ=UTC
BIN=${BIN:-$PWD/purgesim}
files=()
for f in tests/cases/markdown-*/expected.out tests/cases/risk-markdown-*/expected.out; do [ -e "$f" ] && files+=("$f"); done
echo "planned $((${#files[@]} + 1))"
if ! command -v cmark-gfm >/dev/null || ! command -v python3 >/dev/null; then
  echo "FAIL md/tools: cmark-gfm or python3 missing (make deps installs them)"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
cat >"$tmp/check.py" <<'EOF'
import html, json, os, re, sys
md_path, html_path, names_path = sys.argv[1:4]
md = open(md_path, encoding="utf-8").read()
out = open(html_path, encoding="utf-8").read()
problems = []

def cells(line):
    # GFM splits a row at each '|' not preceded by a backslash; the outer pipes are optional
    parts = re.split(r"(?<!\\)\|", line.strip())
    if parts and parts[0].strip() == "": parts = parts[1:]
    if parts and parts[-1].strip() == "": parts = parts[:-1]
    return len(parts)

tables, current = [], None
for no, line in enumerate(md.split("\n"), 1):
    if line.startswith("|"):
        if current is None:
            current = {"line": no, "cols": cells(line), "rows": 0}
            tables.append(current)
            continue
        if cells(line) != current["cols"]:
            problems.append(f"line {no}: {cells(line)} cells, the header has {current['cols']}")
        if re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", line.strip()):
            continue   # the delimiter row
        current["rows"] += 1
    else:
        current = None
html_tables = re.findall(r"<table>(.*?)</table>", out, re.S)
if len(html_tables) != len(tables):
    problems.append(f"{len(tables)} tables in the Markdown, {len(html_tables)} in the HTML")
else:
    for t, h in zip(tables, html_tables):
        rows = re.findall(r"<tr>(.*?)</tr>", h, re.S)
        if len(rows) != t["rows"] + 1:
            problems.append(f"table at line {t['line']}: {t['rows']} rows in the Markdown, {len(rows) - 1} in the HTML")
        for r in rows:
            n = len(re.findall(r"<t[hd][ >]", r))
            if n != t["cols"]:
                problems.append(f"table at line {t['line']}: an HTML row has {n} cells, not {t['cols']}")
allowed = {"h3", "p", "strong", "code", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "details", "summary"}
for tag in re.findall(r"</?([A-Za-z][A-Za-z0-9]*)[^>]*>", out):
    if tag.lower() not in allowed:
        problems.append(f"the HTML has a <{tag}> element")
rest = re.sub(r'</?(?:%s)(?: align="(?:left|right|center)")?>' % "|".join(allowed), "", out)
if "<" in rest:
    i = rest.index("<")
    problems.append("an unescaped '<' in the HTML: " + repr(rest[max(0, i - 30):i + 30]))
if len(md) >= 65536:
    problems.append(f"{len(md)} characters, over a GitHub comment's 65,536")
if os.path.exists(names_path):
    text = html.unescape(re.sub(r"<[^>]*>", "", out))
    reg = json.load(open(names_path, encoding="utf-8"))
    shown = lambda s: s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    for r in reg["repositories"]:
        for n in [r["name"]] + [t["name"] for t in r.get("tags", [])]:
            if shown(n) not in text:
                problems.append("name not shown as it is: " + repr(n))
problems = list(dict.fromkeys(problems))
for p in problems[:10]:
    print(p)
sys.exit(1 if problems else 0)
EOF
# check NAME MARKDOWN [NAMES_JSON]
check() {
  local name=$1 md=$2 names=${3:-/nonexistent}
  # --unsafe keeps raw HTML, so that a name's HTML would show in the check instead of vanishing
  if ! cmark-gfm --unsafe -e table -e autolink -e strikethrough -e tagfilter "$md" >"$tmp/out.html" 2>"$tmp/err"; then
    echo "FAIL md/$name: cmark-gfm failed: $(head -3 "$tmp/err")"; fails=$((fails + 1)); return
  fi
  if msg=$(python3 "$tmp/check.py" "$md" "$tmp/out.html" "$names"); then
    echo "ok md/$name"
  else
    echo "FAIL md/$name: $(echo "$msg" | head -1)"
    echo "$msg" | sed 1d | sed 's/^/  /'
    fails=$((fails + 1))
  fi
}
for f in "${files[@]}"; do
  dir=$(dirname "$f")
  check "$(basename "$dir")" "$f" "$dir/names.json"
done
# a dry run deleting thousands: the lists are cut ("... and N more") and the whole stays short
if "$BIN" generate --scale small --seed 1 -o "$tmp/gen.json" 2>"$tmp/err" &&
   "$BIN" dry-run -q -i "$tmp/gen.json" --format markdown -- acr purge --filter '.*:.*' --ago 0d --untagged \
     >"$tmp/gen.md" 2>>"$tmp/err"; then
  if grep -q '^… and [0-9]* more' "$tmp/gen.md"; then check long-dry-run "$tmp/gen.md"
  else echo "FAIL md/long-dry-run: the deletion list is not cut"; fails=$((fails + 1)); fi
else
  echo "FAIL md/long-dry-run: purgesim failed: $(head -3 "$tmp/err")"; fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
