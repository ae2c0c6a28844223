#!/usr/bin/env python3
"""Writes one registry's history twice, for tests/test-history-log.sh:
  OUT/snap-01.json .. snap-NN.json  a bundle at each midnight from day 1 to day N (daily snapshots)
  OUT/events-a.json, events-b.json  the event log of the whole history, as two overlapping files
                                    (`az monitor log-analytics query -o json` rows)
The latest snapshot plus the log must give the same history as all the snapshots, so the
history is made of what both can see alike (see the script for why each rule is there):
  - at most one build a day per repository, pushed with a version tag and `latest` at one
    instant: every manifest, and every place a tag points, lives through at least one midnight;
  - promotions of `stable` onto an existing build, at most one a day, after that day's build;
  - deletions and untags by people happen exactly at midnight, when a snapshot is taken, and
    only of what a snapshot has already seen;
  - no digest is pushed again after it was deleted.
Each image is one layer blob of its imageSize (the log knows no layers: a manifest only the
log has is stored as one blob of its size, which is then the same storage).
Usage: make-history.py OUT [--days N] [--seed S]. Deterministic for a seed."""
import hashlib
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

LOGIN = "eqreg.azurecr.io"
START = datetime(2026, 3, 1, tzinfo=timezone.utc)
REPOS = ["svc/api", "svc/web", "tools/runner"]


def sha(label):
    return "sha256:" + hashlib.sha256(label.encode()).hexdigest()


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def row(t, op, repo, tag="None", digest="None", size="None", status="201"):
    return {"TimeGenerated": iso(t), "OperationName": op, "Repository": repo, "Tag": tag, "Digest": digest,
            "Size": size, "LoginServer": LOGIN, "ResultDescription": status}


def main():
    out = sys.argv[1]
    days = int(sys.argv[sys.argv.index("--days") + 1]) if "--days" in sys.argv else 21
    rng = random.Random(int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1)
    os.makedirs(out, exist_ok=True)
    man = {r: {} for r in REPOS}     # digest -> {size, created, updated, pushed_day}
    tags = {r: {} for r in REPOS}    # name -> {digest, time, day}
    rows = []
    snaps = []
    version = {r: 0 for r in REPOS}

    def snapshot(k):
        t = START + timedelta(days=k)
        repos = []
        for r in REPOS:
            ms = [{"digest": d, "imageSize": m["size"], "createdTime": iso(m["created"]),
                   "lastUpdateTime": iso(m["updated"]),
                   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                   "architecture": "amd64", "os": "linux",
                   "tags": sorted(n for n, tg in tags[r].items() if tg["digest"] == d),
                   "changeableAttributes": {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True,
                                            "listEnabled": True},
                   "layers": [{"digest": sha("layer/" + d), "size": m["size"]}]}
                  for d, m in sorted(man[r].items())]
            ts = [{"name": n, "digest": tg["digest"], "createdTime": iso(tg["time"]), "lastUpdateTime": iso(tg["time"]),
                   "signed": False, "changeableAttributes": {"deleteEnabled": True, "writeEnabled": True,
                                                             "readEnabled": True, "listEnabled": True}}
                  for n, tg in sorted(tags[r].items())]
            if ms:
                repos.append({"name": r, "manifests": ms, "tags": ts})
        snaps.append({"registry": LOGIN, "exportedAt": iso(t), "sku": "Standard", "repositories": repos})

    for k in range(days):
        midnight = START + timedelta(days=k)
        if k > 0:
            # people delete and untag at midnight, only what a snapshot has seen (day <= k-2)
            for r in REPOS:
                moving = {tags[r][n]["digest"] for n in ("latest", "stable") if n in tags[r]}
                old = sorted(d for d, m in man[r].items() if m["day"] <= k - 2 and d not in moving)
                if old and rng.random() < 0.35:
                    d = rng.choice(old)
                    rows.append(row(midnight, "Delete", r, digest=d, status="202"))
                    del man[r][d]
                    for n in [n for n, tg in tags[r].items() if tg["digest"] == d]:
                        del tags[r][n]
                vt = sorted(n for n, tg in tags[r].items() if n.startswith("v") and tg["day"] <= k - 2)
                if vt and rng.random() < 0.3:
                    n = rng.choice(vt)
                    rows.append(row(midnight, "Untag", r, tag=n, digest=tags[r][n]["digest"], status="202"))
                    del tags[r][n]
            snapshot(k)
        for r in REPOS:
            if rng.random() < 0.75:
                version[r] += 1
                t = midnight + timedelta(seconds=rng.randrange(3600, 14 * 3600))
                d = sha("%s/build/%d" % (r, version[r]))
                size = rng.randrange(10, 500) * 1000003
                man[r][d] = {"size": size, "created": t, "updated": t, "day": k}
                for n in ("v%d" % version[r], "latest"):
                    rows.append(row(t, "Push", r, tag=n, digest=d, size=str(size)))
                    tags[r][n] = {"digest": d, "time": t, "day": k}
            olds = sorted(d for d, m in man[r].items() if m["day"] <= k - 1)
            if olds and rng.random() < 0.2:
                t = midnight + timedelta(seconds=rng.randrange(15 * 3600, 23 * 3600))
                d = rng.choice(olds)
                rows.append(row(t, "Push", r, tag="stable", digest=d, size=str(man[r][d]["size"])))
                tags[r]["stable"] = {"digest": d, "time": t, "day": k}
                man[r][d]["updated"] = t
        # noise the log must skip: a pull, a failed push, another registry's push
        t = midnight + timedelta(hours=23)
        rows.append(row(t, "Pull", REPOS[0], tag="latest", status="200"))
        rows.append(row(t, "Push", REPOS[1], tag="broken", digest=sha("failed/%d" % k), size="5", status="404"))
        other = row(t, "Push", REPOS[2], tag="x", digest=sha("other/%d" % k), size="7")
        other["LoginServer"] = "otherreg.azurecr.io"
        rows.append(other)
    snapshot(days)
    for k, s in enumerate(snaps, 1):
        with open(os.path.join(out, "snap-%02d.json" % k), "w") as f:
            json.dump(s, f, indent=1)
    # two files that overlap by three days: rows in both must count once
    cut_a = iso(START + timedelta(days=days // 2 + 2))
    cut_b = iso(START + timedelta(days=days // 2 - 1))
    with open(os.path.join(out, "events-a.json"), "w") as f:
        json.dump([x for x in rows if x["TimeGenerated"] < cut_a], f, indent=1)
    with open(os.path.join(out, "events-b.json"), "w") as f:
        json.dump([x for x in rows if x["TimeGenerated"] >= cut_b], f, indent=1)


if __name__ == "__main__":
    main()
