#!/usr/bin/env python3
"""Three snapshots of one registry whose facts change between them, for tests/test-snapshot-facts.sh:
usage `make.py OUTDIR [--midnight]` writes OUTDIR/snap-1.json .. snap-3.json.

Snapshots are taken at 2026-01-11T12:00Z, 2026-01-16T12:00Z and 2026-01-26T12:00Z; with
--midnight the second is taken at 2026-01-16T00:00Z, the instant of a nightly run. Every
repository holds one tagged manifest `keep` (tag v1), which the tests' policies leave alone,
and one manifest under test; times are day N = 2026-01-01 + N days, at 06:00 unless said:

- lock-off:  untagged manifest, created day 0, deleteEnabled false in snapshot 1, true later
- lock-on:   untagged manifest, created day 0, deleteEnabled true in snapshot 1, false later
- tag-lock:  manifest tagged `old` (created day 0); the tag's writeEnabled is false in
             snapshot 1, true later (same digest, same lastUpdateTime)
- repush:    untagged manifest, createdTime day 0 in snapshot 1, day 12 in snapshots 2 and 3
             (deleted and pushed again between snapshots 1 and 2)
- touch:     untagged manifest, lastUpdateTime day 0 in snapshot 1, day 12 later, createdTime
             unchanged (a tag was pushed onto it and moved on before snapshot 2)
- upd-list:  untagged manifest created day 0, lastUpdateTime day 1 in snapshot 1 and day 12
             later
"""
import json
import os
import sys
from datetime import datetime, timedelta, timezone

BASE = datetime(2026, 1, 1, 6, tzinfo=timezone.utc)
SNAPS = ["2026-01-11T12:00:00Z", "2026-01-16T12:00:00Z", "2026-01-26T12:00:00Z"]
MEDIA = "application/vnd.docker.distribution.manifest.v2+json"


def day(n):
    return (BASE + timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(name):
    return "sha256:" + (name.encode().hex() * 64)[:64]


def manifest(name, created, updated, tags=(), delete=True, write=True, size=1000):
    return {"digest": digest(name), "imageSize": size, "createdTime": day(created), "lastUpdateTime": day(updated),
            "mediaType": MEDIA, "tags": list(tags),
            "changeableAttributes": {"deleteEnabled": delete, "writeEnabled": write}}


def tag(name, target, updated, delete=True, write=True):
    return {"name": name, "digest": digest(target), "createdTime": day(updated), "lastUpdateTime": day(updated),
            "changeableAttributes": {"deleteEnabled": delete, "writeEnabled": write}}


def repo(name, m, tags=()):
    keep = manifest(name + "/keep", 0, 0, ["v1"])
    return {"name": name, "manifests": [keep, m],
            "tags": [tag("v1", name + "/keep", 0)] + list(tags)}


def snapshot(j, snaps):
    later = j > 0
    return {
        "registry": "facts.azurecr.io", "exportedAt": snaps[j], "sku": "Premium",
        "repositories": [
            repo("lock-off", manifest("lock-off/m", 0, 0, delete=later)),
            repo("lock-on", manifest("lock-on/m", 0, 0, delete=not later)),
            repo("tag-lock", manifest("tag-lock/m", 0, 0, ["old"]), [tag("old", "tag-lock/m", 0, write=later)]),
            repo("repush", manifest("repush/m", 12 if later else 0, 12 if later else 0)),
            repo("touch", manifest("touch/m", 0, 12 if later else 0)),
            repo("upd-list", manifest("upd-list/m", 0, 12 if later else 1)),
        ]}


def main():
    out = sys.argv[1]
    snaps = list(SNAPS)
    if sys.argv[2:] == ["--midnight"]:
        snaps[1] = "2026-01-16T00:00:00Z"
    os.makedirs(out, exist_ok=True)
    for j in range(3):
        with open(os.path.join(out, "snap-%d.json" % (j + 1)), "w") as f:
            json.dump(snapshot(j, snaps), f, indent=1)


if __name__ == "__main__":
    main()
