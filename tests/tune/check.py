#!/usr/bin/env python3
"""Independent checks of `purgesim tune -f csv` output (tests/test-tune.sh).

  check.py ini CANDIDATES.csv REGISTRY
      writes a policy file (stdout) holding every candidate as a policy of its own, built from
      the csv's schedule, command and retention_days columns alone
  check.py exact CANDIDATES.csv SUMMARY.csv
      every candidate's figures equal simulate's summary.csv row for the policy of that name
  check.py exact-forecast CANDIDATES.csv FORECAST.json
      with tune --forecast-days: every candidate's money and storage equal forecast's (-f json)
  check.py pareto CANDIDATES.csv
      the pareto column equals a re-computation: within each group, a candidate is in the set
      when no other is at most as costly, at least as deep and breaks at most as many pulls, and
      better in one of them
  check.py recommend CANDIDATES.csv [--keep-versions N] [--max-broken-pulls N] [--in-use]
                     [--max-run-deletes N] [--budget X] [--max-gib X]
      meets_constraints equals the constraints re-applied to the columns, and per group the
      recommended candidate meets them and is the cheapest that does (none recommended when
      none meets)
  check.py warnings REPORT.txt REPORT.md
      the text report's warnings (its "Warnings:" list) are the Markdown report's, the same
      words in the same order, as GitHub renders the Markdown (cmark-gfm to HTML); the text
      report must have at least one, or the check proves nothing

Prints nothing and exits 0 when the check holds; else one line per problem and exit 1.
"""
import argparse
import csv
import html
import re
import subprocess
import sys

INF = float("inf")


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def depth(r):
    return INF if r["rollback_depth"] == "" else int(r["rollback_depth"])


def broken(r):
    return 0 if r["broken_pulls"] == "" else int(r["broken_pulls"])


def cmd_ini(args):
    print("# every candidate of a tune run, as a policy of its own (tests/tune/check.py)")
    for r in rows(args.candidates):
        print(f"\n[{r['candidate']}]")
        if r["command"]:
            print(f"az acr task create --name purge-{r['candidate']} --registry {args.registry} "
                  f"--schedule \"{r['schedule']}\" --cmd \"{r['command']}\" --context /dev/null")
        if r["retention_days"]:
            print(f"az acr config retention update --registry {args.registry} --days {r['retention_days']} "
                  f"--type UntaggedManifests --status enabled")
    return 0


def cmd_exact(args):
    summary = {r["policy"]: r for r in rows(args.summary)}
    bad = 0
    # tune's column -> how summary.csv gives the same figure
    same = {
        "storage_per_month": lambda s: s["storage_per_month"],
        "sku_fee_per_month": lambda s: s["sku_fee_per_month"],
        "end_units": lambda s: s["end_units"],
        "peak_units": lambda s: s["peak_units"],
        "tags_deleted": lambda s: s["tags_deleted"],
        "manifests_deleted": lambda s: str(int(s["manifests_deleted_purge"]) + int(s["manifests_deleted_retention"])),
        "cascade_deleted": lambda s: s["cascade_deleted"],
        "max_run_deletions": lambda s: s["max_run_deletions"],
        "rollback_depth": lambda s: s["rollback_depth"],
        "broken_pulls": lambda s: s["broken_pulls"],
        "in_use_deletes": lambda s: s["in_use_deleted"],
        "unit": lambda s: s["unit"],
        "currency": lambda s: s["currency"],
    }
    cands = rows(args.candidates)
    for c in cands:
        s = summary.get(c["candidate"])
        if s is None:
            print(f"{c['candidate']}: not in {args.summary}")
            bad += 1
            continue
        for col, get in same.items():
            if c[col] != get(s):
                print(f"{c['candidate']}: {col} is {c[col]!r} in candidates.csv, {get(s)!r} in summary.csv")
                bad += 1
        # cost_per_month is the sum of the two columns above, each printed to 6 decimals
        total = float(s["storage_per_month"]) + float(s["sku_fee_per_month"])
        if abs(float(c["cost_per_month"]) - total) > 1.5e-6:
            print(f"{c['candidate']}: cost_per_month {c['cost_per_month']} != storage + SKU fee {total:.6f}")
            bad += 1
    if not cands:
        print("no candidates")
        bad += 1
    return 1 if bad else 0


def cmd_exact_forecast(args):
    import json
    with open(args.forecast) as f:
        fc = {p["name"]: p for p in json.load(f)["policies"]}
    bad = 0
    cands = rows(args.candidates)
    for c in cands:
        p = fc.get(c["candidate"])
        if p is None:
            print(f"{c['candidate']}: not in {args.forecast}")
            bad += 1
            continue
        for col, key in (("end_units", "end_units"), ("peak_units", "peak_units"),
                         ("storage_per_month", "storage_per_month"), ("cost_per_month", "total_per_month")):
            if abs(float(c[col]) - p[key]) > 1.5e-6:
                print(f"{c['candidate']}: {col} {c[col]} in candidates.csv, {key} {p[key]} in the forecast")
                bad += 1
    if not cands:
        print("no candidates")
        bad += 1
    return 1 if bad else 0


def dominates(a, b):
    ca, cb = float(a["cost_per_month"]), float(b["cost_per_month"])
    if ca > cb or depth(a) < depth(b) or broken(a) > broken(b):
        return False
    return ca < cb or depth(a) > depth(b) or broken(a) < broken(b)


def cmd_pareto(args):
    cands = rows(args.candidates)
    bad = 0
    for a in cands:
        want = not any(b is not a and b.get("group", "") == a.get("group", "") and dominates(b, a) for b in cands)
        if (a["pareto"] == "true") != want:
            print(f"{a['candidate']}: pareto is {a['pareto']}, expected {str(want).lower()}")
            bad += 1
    return 1 if bad else 0


def meets(r, a):
    if a.keep_versions and depth(r) < a.keep_versions:
        return False
    if a.max_broken_pulls is not None and broken(r) > a.max_broken_pulls:
        return False
    if a.in_use and int(r["in_use_deletes"] or 0) > 0:
        return False
    if a.max_run_deletes is not None and int(r["max_run_deletions"]) > a.max_run_deletes:
        return False
    if a.budget is not None and float(r["cost_per_month"]) > a.budget:
        return False
    if a.max_gib is not None and float(r["peak_units"]) > a.max_gib:
        return False
    return True


def cmd_recommend(args):
    cands = rows(args.candidates)
    bad = 0
    groups = {}
    for r in cands:
        m = meets(r, args)
        if (r["meets_constraints"] == "true") != m:
            print(f"{r['candidate']}: meets_constraints is {r['meets_constraints']}, expected {str(m).lower()}")
            bad += 1
        groups.setdefault(r.get("group", ""), []).append((r, m))
    for g, members in groups.items():
        ok = [r for r, m in members if m]
        rec = [r for r, _ in members if r["recommended"] == "true"]
        if not ok:
            if rec:
                print(f"group {g!r}: none meets, yet {rec[0]['candidate']} is recommended")
                bad += 1
            continue
        if len(rec) != 1:
            print(f"group {g!r}: {len(rec)} recommended, expected 1")
            bad += 1
            continue
        cheapest = min(float(r["cost_per_month"]) for r in ok)
        if rec[0] not in ok or float(rec[0]["cost_per_month"]) != cheapest:
            print(f"group {g!r}: recommended {rec[0]['candidate']} ({rec[0]['cost_per_month']}), "
                  f"the cheapest that meets costs {cheapest:.6f}")
            bad += 1
    return 1 if bad else 0


def text_warnings(path):
    """The items of the text report's "Warnings:" list, its last section."""
    lines = open(path, encoding="utf-8").read().split("\n")
    if "Warnings:" not in lines:
        return []
    tail = lines[lines.index("Warnings:") + 1:]
    return [l[len("  - "):] for l in tail if l.startswith("  - ")]


def markdown_warnings(path):
    """The items of the Markdown report's **Warnings** list, as rendered text."""
    out = subprocess.run(["cmark-gfm", "-e", "table", path], capture_output=True, text=True, check=True).stdout
    m = re.search(r"<p><strong>Warnings</strong></p>\s*<ul>(.*?)</ul>", out, re.S)
    if not m:
        return []
    return [html.unescape(re.sub(r"<[^>]*>", "", li)) for li in re.findall(r"<li>(.*?)</li>", m.group(1), re.S)]


def cmd_warnings(args):
    want, got = text_warnings(args.text), markdown_warnings(args.markdown)
    if not want:
        print(f"{args.text}: no warnings, nothing to compare")
        return 1
    if want == got:
        return 0
    print(f"text has {len(want)} warnings, Markdown {len(got)}")
    for w in want:
        if w not in got:
            print(f"  missing from the Markdown: {w}")
    for g in got:
        if g not in want:
            print(f"  only in the Markdown: {g}")
    return 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("ini")
    a.add_argument("candidates")
    a.add_argument("registry")
    a = sub.add_parser("exact")
    a.add_argument("candidates")
    a.add_argument("summary")
    a = sub.add_parser("exact-forecast")
    a.add_argument("candidates")
    a.add_argument("forecast")
    a = sub.add_parser("pareto")
    a.add_argument("candidates")
    a = sub.add_parser("recommend")
    a.add_argument("candidates")
    a.add_argument("--keep-versions", type=int, default=3)
    a.add_argument("--max-broken-pulls", type=int)
    a.add_argument("--in-use", action="store_true")
    a.add_argument("--max-run-deletes", type=int)
    a.add_argument("--budget", type=float)
    a.add_argument("--max-gib", type=float)
    a = sub.add_parser("warnings")
    a.add_argument("text")
    a.add_argument("markdown")
    args = p.parse_args()
    return {"warnings": cmd_warnings, "ini": cmd_ini, "exact": cmd_exact, "exact-forecast": cmd_exact_forecast, "pareto": cmd_pareto, "recommend": cmd_recommend}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
