#!/usr/bin/env python3
"""Writes a small registry seen in four snapshots, and its event log, for the differential test
(tests/test-differential.sh): usage `make-registry.py SEED OUTDIR`.

OUTDIR gets snap-1.json .. snap-4.json (bundles of one registry "diffreg", data/EXPORT-FORMAT.md)
and events.json (an az-style event log of pulls). Deterministic: the same SEED writes the same
bytes. What the data holds, and why (each is something the run-skipping shortcut of
sim/replay.c must get right):

- eight repositories with pushes at random instants, some exactly at midnight or at the minute
  the policies' runs fire, some repositories quiet for weeks (their ages cross --ago cutoffs with
  no other change), some pushing every few hours;
- `latest` moving to every push, version tags on some pushes (a few locked), a `stable` tag
  promoted in each snapshot to an older manifest (a tag newer than a policy's deletion of that
  manifest revives it), manifests whose lastUpdateTime is later than their push and grows from
  one snapshot to the next, locked manifests;
- referrers (with a `subject`, some of them chained) and indexes with children, for cascades;
- natural removals between snapshots, and manifests that leave one snapshot and come back in a
  later one (revivals), tags that disappear;
- in repository "flaky/bad-time" (in name order before lib/, svc/ and tools/), snapshot 2 only
  holds a tag "broken" whose lastUpdateTime cannot be read: every run whose tag filter matches it
  fails there (sim/RULES.md 4.4) until snapshot 3 drops it; in "lib/gamma" snapshot 2 only
  holds a tag whose name makes a backtracking tag filter hit the match limit (a regex timeout);
- two snapshots taken exactly at midnight, two in the middle of a day;
- pulls by tag and by digest at random instants and at the edges: midnights, the instants the
  runs fire, the snapshots' instants, and 23:59:59.999999999 (the last instant of a window).
"""
import hashlib
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

REGISTRY = "diffreg.azurecr.io"
START = datetime(2026, 1, 5, tzinfo=timezone.utc)
# snapshots: two in mid-day, two at midnight (the last is the exportedAt of the history)
SNAPS = [START + timedelta(days=20, hours=7, minutes=13), START + timedelta(days=35),
         START + timedelta(days=50, hours=13, minutes=17), START + timedelta(days=64)]
REPOS = ["app/alpha", "app/beta", "flaky/bad-time", "lib/gamma", "lib/zeta", "svc/one", "svc/two", "tools/runner"]
IMAGE = "application/vnd.docker.distribution.manifest.v2+json"
OCI = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
# a tag name on which the tag filter "(a|aa)+$" backtracks past PCRE2's match limit
TIMEOUT_TAG = "a" * 40 + "!"


def iso(t, digits=7):
    frac = "%09d" % (t.microsecond * 1000)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac[:digits] if digits else "") + "Z"


def digest(*parts):
    return "sha256:" + hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()


def attrs(delete=True, write=True):
    return {"deleteEnabled": delete, "writeEnabled": write, "readEnabled": True, "listEnabled": True}


def main():
    seed, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    end = SNAPS[-1]
    repos = []
    for ri, name in enumerate(REPOS):
        # pushes: a busy repository every few hours, a quiet one every week or two
        busy = rnd.random() < 0.4
        mean_gap = timedelta(hours=rnd.uniform(3, 10)) if busy else timedelta(days=rnd.uniform(2, 9))
        t = START + timedelta(minutes=rnd.uniform(0, 600))
        pushes = []
        while t < end and len(pushes) < 60:
            kind = rnd.random()
            if kind < 0.12:    # exactly at midnight
                when = t.replace(hour=0, minute=0, second=0, microsecond=0)
            elif kind < 0.24:  # exactly when hourly runs fire
                when = t.replace(minute=17, second=0, microsecond=0)
            else:
                when = t
            if when >= end:
                break
            pushes.append(when)
            gap = rnd.expovariate(1.0) * mean_gap.total_seconds()
            t = when + timedelta(seconds=max(gap, 60))
            # a quiet spell of two to three weeks now and then
            if rnd.random() < 0.05:
                t += timedelta(days=rnd.uniform(14, 21))
        shared = digest(seed, name, "base")
        mans = []
        for i, when in enumerate(pushes):
            d = digest(seed, name, i)
            size = rnd.randrange(1_000_000, 400_000_000)
            layers = [{"digest": shared, "size": 30_000_000},
                      {"digest": digest(seed, "common", i % 5), "size": 5_000_000 + i % 5},
                      {"digest": digest(seed, name, i, "top"), "size": size // 3}]
            lu = when
            if rnd.random() < 0.18:   # touched later: lastUpdateTime after the push
                lu = when + timedelta(days=rnd.uniform(0.5, 20), seconds=rnd.randrange(60))
            m = {"digest": d, "push": when, "lu": lu, "size": size, "media": IMAGE, "layers": layers,
                 "delete": rnd.random() > 0.08, "subject": None, "refs": None}
            mans.append(m)
            if name.startswith("app/") and rnd.random() < 0.3:   # a signature, sometimes signed too
                sig = {"digest": digest(seed, name, i, "sig"), "push": when + timedelta(seconds=30),
                       "lu": when + timedelta(seconds=30), "size": 900, "media": OCI,
                       "layers": [{"digest": digest(seed, name, i, "sig-blob"), "size": 900}],
                       "delete": True, "subject": d, "refs": None}
                mans.append(sig)
                if rnd.random() < 0.4:
                    mans.append({"digest": digest(seed, name, i, "sig2"), "push": when + timedelta(seconds=31),
                                 "lu": when + timedelta(seconds=31), "size": 700, "media": OCI,
                                 "layers": [{"digest": digest(seed, name, i, "sig2-blob"), "size": 700}],
                                 "delete": True, "subject": sig["digest"], "refs": None})
            if name == "lib/gamma" and rnd.random() < 0.35:      # an index over two platform images
                kids = []
                for k in range(2):
                    kd = digest(seed, name, i, "kid", k)
                    mans.append({"digest": kd, "push": when, "lu": when, "size": size // 2, "media": IMAGE,
                                 "layers": [{"digest": digest(seed, name, i, k), "size": size // 2}],
                                 "delete": True, "subject": None, "refs": None})
                    kids.append(kd)
                m["media"] = INDEX
                m["refs"] = kids
                m["layers"] = []
        # which snapshots hold each manifest: absent from one (then back: a revival) or from one on
        for m in mans:
            held = [s >= m["push"] for s in SNAPS]
            r = rnd.random()
            first = next((j for j, h in enumerate(held) if h), None)
            if first is not None and r < 0.14:
                j = rnd.randrange(first, len(SNAPS))
                held[j] = False
            elif first is not None and r < 0.22:
                j = rnd.randrange(first, len(SNAPS))
                for k in range(j, len(SNAPS)):
                    held[k] = False
            m["held"] = held
        repos.append({"name": name, "mans": mans, "pushes": pushes})

    # the tags of each snapshot
    for rp in repos:
        name, mans = rp["name"], rp["mans"]
        tops = [m for m in mans if m["subject"] is None and not any(m["digest"] in (o["refs"] or []) for o in mans)]
        rp["tags"] = []
        for j, snap in enumerate(SNAPS):
            held = [m for m in tops if m["held"][j]]
            tags = []
            pushed = [m for m in tops if m["push"] <= snap]
            if pushed and pushed[-1]["held"][j]:
                tags.append({"name": "latest", "m": pushed[-1], "lu": pushed[-1]["push"], "delete": True, "write": True})
            for i, m in enumerate(tops):
                if i % 3 == 0 and m["held"][j]:
                    lu = m["push"] + timedelta(minutes=(i * 7) % 120)
                    if lu > snap:
                        continue
                    locked = i % 9 == 0
                    tags.append({"name": "v1.%d" % i, "m": m, "lu": lu, "delete": not locked, "write": True})
            # stable: promoted to an image at least a week old, at a time inside the interval
            old = [m for m in held if m["push"] <= snap - timedelta(days=7)]
            if old:
                m = old[len(old) // 2] if j % 2 else old[-1]
                lo = SNAPS[j - 1] if j else m["push"]
                span = (snap - lo).total_seconds()
                lu = lo + timedelta(seconds=int(span * 0.6))
                if lu < m["push"]:
                    lu = m["push"]
                tags.append({"name": "stable", "m": m, "lu": lu, "delete": True, "write": rnd.random() < 0.8})
            if name == "flaky/bad-time" and j == 1 and held:
                tags.append({"name": "broken", "m": held[0], "lu": None, "delete": True, "write": True})
            if name == "lib/gamma" and j == 1 and held:
                tags.append({"name": TIMEOUT_TAG, "m": held[-1], "lu": held[-1]["push"], "delete": True, "write": True})
            rp["tags"].append(tags)

    for j, snap in enumerate(SNAPS):
        bundle = {"registry": REGISTRY, "exportedAt": iso(snap), "sku": "Premium", "repositories": []}
        for rp in repos:
            tags = rp["tags"][j]
            on = {}
            for tg in tags:
                on.setdefault(tg["m"]["digest"], []).append(tg["name"])
            ms = []
            for m in rp["mans"]:
                if not m["held"][j]:
                    continue
                lu = min(m["lu"], snap)
                o = {"digest": m["digest"], "imageSize": m["size"], "createdTime": iso(m["push"]),
                     "lastUpdateTime": iso(lu), "mediaType": m["media"], "tags": on.get(m["digest"], []),
                     "changeableAttributes": attrs(m["delete"])}
                if m["layers"]:
                    o["layers"] = m["layers"]
                if m["subject"]:
                    o["subject"] = {"digest": m["subject"]}
                if m["refs"]:
                    o["references"] = [{"digest": k} for k in m["refs"]]
                ms.append(o)
            ts = []
            for tg in tags:
                ts.append({"name": tg["name"], "digest": tg["m"]["digest"],
                           "createdTime": iso(tg["lu"] or tg["m"]["push"]),
                           "lastUpdateTime": iso(tg["lu"]) if tg["lu"] else "not-a-time",
                           "signed": False, "changeableAttributes": attrs(tg["delete"], tg["write"])})
            bundle["repositories"].append({"name": rp["name"], "manifests": ms, "tags": ts})
        with open(os.path.join(out, "snap-%d.json" % (j + 1)), "w") as f:
            json.dump(bundle, f, indent=1)
            f.write("\n")

    # pulls: by tag and by digest, at random instants and at the edges
    rows = []
    edges = []
    day0 = START + timedelta(days=1)
    for d in range(0, 64):
        day = day0 + timedelta(days=d)
        # midnight, the day's last instant (nanoseconds: written as text), an hourly run's instant
        edges += [iso(day), day.strftime("%Y-%m-%dT23:59:59.999999999Z"),
                  iso(day + timedelta(hours=rnd.randrange(24), minutes=17))]
    edges += [iso(s) for s in SNAPS]
    for rp in repos:
        names = sorted({tg["name"] for tags in rp["tags"] for tg in tags if tg["lu"]})
        digests = [m["digest"] for m in rp["mans"]]
        for _ in range(40):
            if rnd.random() < 0.6:
                when = rnd.choice(edges)
            else:
                when = iso(START + timedelta(seconds=rnd.randrange(64 * 86400), microseconds=rnd.randrange(10**6)))
            if rnd.random() < 0.5 and names:
                rows.append(row(when, rp["name"], rnd.choice(names), "None"))
            else:
                rows.append(row(when, rp["name"], rnd.choice(digests), "<nil>"))
    rows.sort(key=lambda r: (r["TimeGenerated"], r["Repository"], r["Tag"]))
    with open(os.path.join(out, "events.json"), "w") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")


def row(t, repo, tag, dig):
    """One successful pull at t (RFC 3339 text)."""
    return {"TimeGenerated": t, "OperationName": "Pull", "Repository": repo, "Tag": tag, "Digest": dig,
            "MediaType": "None", "Size": "None", "LoginServer": REGISTRY, "ResultType": "HttpStatusCode",
            "ResultDescription": "200", "Category": "ContainerRegistryRepositoryEvents",
            "Type": "ContainerRegistryRepositoryEvents"}


if __name__ == "__main__":
    main()
