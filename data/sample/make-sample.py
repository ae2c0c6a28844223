#!/usr/bin/env python3
"""Generate data/sample/devreg.json: a purgesim bundle (docs data/EXPORT-FORMAT.md, version 1) that
looks like a small team's DEV registry "devreg.azurecr.io" exported at 2026-11-01T00:00:00Z.

Deterministic, standard library only: every digest is sha256 of a fixed label, every size and
every fractional second is derived from such a hash, so re-running the script reproduces the
file byte for byte.  See README.md next to this script for what each repository contains.

usage: make-sample.py [-o OUT] [--check] [--stats]
  -o OUT    write OUT instead of devreg.json next to this script ("-" = stdout)
  --check   do not write; exit 1 if the existing file differs from what would be written
  --stats   print per-repository counts and storage totals to stderr
"""
import datetime
import hashlib
import json
import os
import sys

REGISTRY = "devreg.azurecr.io"
EXPORTED_AT = "2026-11-01T00:00:00Z"
SKU = "Basic"

DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_ARTIFACT = "application/vnd.oci.artifact.manifest.v1+json"
NOTARY_SIG = "application/vnd.cncf.notary.signature"

# ----------------------------------------------------------------------------------------------
# Deterministic helpers


def hexof(label):
    return hashlib.sha256(label.encode("utf-8")).hexdigest()


def digest(label):
    return "sha256:" + hexof("devreg-sample/" + label)


def pick(label, lo, hi):
    """A deterministic integer in [lo, hi] chosen by the label."""
    return lo + int(hexof("size/" + label)[:15], 16) % (hi - lo + 1)


def at(seconds_text, label):
    """'2026-10-12T02:14:37' -> '2026-10-12T02:14:37.1234567Z' (7 fractional digits from label)."""
    assert len(seconds_text) == 19, seconds_text
    frac = int(hexof("time/" + label)[:12], 16) % 10_000_000
    return "%s.%07dZ" % (seconds_text, frac)


def shift(seconds_text, delta):
    """'2026-10-12T02:14:37' moved by delta seconds."""
    t = datetime.datetime.strptime(seconds_text, "%Y-%m-%dT%H:%M:%S")
    return (t + datetime.timedelta(seconds=delta)).strftime("%Y-%m-%dT%H:%M:%S")


def commit(label):
    return hexof("commit/" + label)[:7]


# ----------------------------------------------------------------------------------------------
# Blobs: one size per digest, everywhere it appears

BLOBS = {}  # digest -> (label, size)


def blob(label, lo, hi):
    d = digest("blob/" + label)
    size = pick(label, lo, hi)
    if d in BLOBS:
        assert BLOBS[d] == (label, size), label
    BLOBS[d] = (label, size)
    return {"digest": d, "size": size}


# ----------------------------------------------------------------------------------------------
# Repository builder

UNLOCKED = {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True, "listEnabled": True}
LOCKED = {"deleteEnabled": False, "writeEnabled": False, "readEnabled": True, "listEnabled": True}


class Repo:
    def __init__(self, name):
        self.name = name
        self.manifests = {}  # digest -> dict (insertion order irrelevant; sorted on output)
        self.tags = {}  # name -> dict

    def _add(self, label, obj):
        d = digest("manifest/%s/%s" % (self.name, label))
        assert d not in self.manifests, label
        obj["digest"] = d
        self.manifests[d] = obj
        return d

    def image(self, label, created, layers, arch="amd64", os_="linux", mt=DOCKER_V2,
              config_lo=1800, config_hi=9000, locked=False):
        cfg = DOCKER_CONFIG if mt == DOCKER_V2 else OCI_CONFIG
        config_size = pick("config/%s/%s" % (self.name, label), config_lo, config_hi)
        size = config_size + sum(layer["size"] for layer in layers)
        return self._add(label, {
            "imageSize": size, "createdTime": created, "lastUpdateTime": created,
            "architecture": arch, "os": os_, "mediaType": mt, "configMediaType": cfg,
            "locked": locked, "layers": layers})

    def index(self, label, created, children, mt=DOCKER_LIST):
        # ACR lists an index with imageSize 0 and no architecture/os/configMediaType.
        for c in children:
            assert c in self.manifests, c
        return self._add(label, {
            "imageSize": 0, "createdTime": created, "lastUpdateTime": created,
            "mediaType": mt, "locked": False,
            "references": [{"digest": c} for c in children]})

    def signature(self, label, created, subject):
        """A Notary v2 signature: OCI image manifest, config type notary, one JWS layer."""
        assert subject in self.manifests
        sig = blob("sig/%s/%s" % (self.name, label), 1900, 2400)
        return self._add(label, {
            "imageSize": 2 + sig["size"], "createdTime": created, "lastUpdateTime": created,
            "mediaType": OCI_MANIFEST, "configMediaType": NOTARY_SIG, "locked": False,
            "layers": [sig], "subject": {"digest": subject}})

    def sbom(self, label, created, subject):
        """An SPDX SBOM pushed as an OCI artifact manifest (blobs only, no config)."""
        assert subject in self.manifests
        doc = blob("sbom/%s/%s" % (self.name, label), 150_000, 220_000)
        return self._add(label, {
            "imageSize": doc["size"], "createdTime": created, "lastUpdateTime": created,
            "mediaType": OCI_ARTIFACT, "locked": False,
            "layers": [doc], "subject": {"digest": subject}})

    def tag(self, name, target, created, updated=None, locked=False):
        """Final state of a tag: it points at target since `updated` (its lastUpdateTime);
        the tag name itself was first created at `created`."""
        assert target in self.manifests
        self.tags[name] = {"name": name, "digest": target, "createdTime": created,
                           "lastUpdateTime": updated or created, "locked": locked}

    # -- output ---------------------------------------------------------------------------------
    def render(self):
        on = {}
        for t in self.tags.values():
            on.setdefault(t["digest"], []).append(t)
        manifests = []
        for d in sorted(self.manifests):  # az prints list-metadata in digest order
            m = self.manifests[d]
            mtags = sorted(on.get(d, []), key=lambda t: t["name"])
            # Adding a tag to an existing manifest updates its lastUpdateTime; a tag moving
            # away leaves it unchanged (sim/REPLAY.md default).
            updated = max([m["lastUpdateTime"]] + [t["lastUpdateTime"] for t in mtags])
            o = {"digest": d, "imageSize": m["imageSize"], "createdTime": m["createdTime"],
                 "lastUpdateTime": updated}
            if "architecture" in m:
                o["architecture"] = m["architecture"]
                o["os"] = m["os"]
            o["mediaType"] = m["mediaType"]
            if "configMediaType" in m:
                o["configMediaType"] = m["configMediaType"]
            o["tags"] = [t["name"] for t in mtags]
            o["changeableAttributes"] = dict(LOCKED if m["locked"] else UNLOCKED)
            for key in ("layers", "references", "subject"):
                if key in m:
                    o[key] = m[key]
            manifests.append(o)
        tags = []
        for name in sorted(self.tags):  # show-tags --detail lists tags by name
            t = self.tags[name]
            tags.append({"name": name, "digest": t["digest"], "createdTime": t["createdTime"],
                         "lastUpdateTime": t["lastUpdateTime"], "signed": False,
                         "changeableAttributes": dict(LOCKED if t["locked"] else UNLOCKED)})
        return {"name": self.name, "manifests": manifests, "tags": tags}


# ----------------------------------------------------------------------------------------------
# Shared base layers (Debian bookworm-slim + .NET 8 runtime/ASP.NET Core), per architecture.
# Debian releases: "07" (July, only under old billing-api builds), "08" (August point release),
# "10a" (early October), "10b" (security rebuild of 23 October).

ARCHES = ("amd64", "arm64")


def debian(arch, rel):
    lo, hi = (28_900_000, 29_300_000) if arch == "amd64" else (28_300_000, 28_800_000)
    return blob("debian-bookworm-slim/%s/%s" % (arch, rel), lo, hi)


def dotnet_layers(arch, rel, ver):
    """Layers of the .NET 8 ASP.NET Core runtime image on a Debian release."""
    rt_lo, rt_hi = (30_800_000, 31_900_000) if arch == "amd64" else (29_600_000, 30_700_000)
    return [
        debian(arch, rel),
        blob("dotnet-runtime-deps/%s/%s" % (arch, rel), 3_300_000, 3_900_000),
        blob("dotnet-runtime/%s/%s" % (arch, ver), rt_lo, rt_hi),
        blob("dotnet-symlink/%s/%s" % (arch, ver), 150, 160),
        blob("aspnetcore-runtime/%s/%s" % (arch, ver), 10_100_000, 10_900_000),
    ]


# ----------------------------------------------------------------------------------------------
# base/dotnet-runtime: mirrored .NET 8 base images (Docker manifest lists, amd64 + arm64), and a
# Windows Server Core variant whose foreign base layer makes each image larger than 2^31 bytes.


def make_base():
    r = Repo("base/dotnet-runtime")

    def multiarch(label, day, hh, mm, rel, ver):
        kids = []
        for i, arch in enumerate(ARCHES):
            t = at("%sT%s:%02d:%02d" % (day, hh, mm, 10 + 7 * i), "%s/%s/%s" % (r.name, label, arch))
            kids.append(r.image("%s/%s" % (label, arch), t, dotnet_layers(arch, rel, ver), arch=arch))
        t = at("%sT%s:%02d:31" % (day, hh, mm), "%s/%s/index" % (r.name, label))
        return r.index(label + "/index", t, kids), t

    i808, t808 = multiarch("8.0.8", "2026-08-14", "06", 42, "08", "8.0.8")
    # The first 8.0.10 build (9 Oct) lost both tags to the 23 Oct security rebuild: an old,
    # untagged manifest list whose untagged children only it refers to.
    _i810a, t810a = multiarch("8.0.10-orig", "2026-10-09", "06", 38, "10a", "8.0.10")
    i810b, t810b = multiarch("8.0.10-rebuild", "2026-10-23", "07", 5, "10b", "8.0.10")

    r.tag("8.0.8", i808, t808)
    r.tag("8.0.10", i810b, t810a, t810b)          # created 9 Oct, moved to the rebuild 23 Oct
    r.tag("8.0", i810b, t808, t810b)              # created with 8.0.8, moved twice since

    def windows(label, day, patch):
        layers = [
            blob("servercore-ltsc2022/%s" % patch, 2_150_000_000, 2_250_000_000),
            blob("win-dotnet-runtime/8.0.10/%s" % patch, 35_000_000, 38_000_000),
            blob("win-aspnetcore-runtime/8.0.10/%s" % patch, 11_500_000, 12_500_000),
            blob("win-env/%s" % patch, 1_000, 1_400),
        ]
        t = at("%sT08:31:12" % day, "%s/%s" % (r.name, label))
        return layers, t

    layers, t_old = windows("win-2026-09", "2026-09-11", "2026-09")
    r.image("win-2026-09", t_old, layers, os_="windows", config_lo=3000, config_hi=6000)
    layers, t_new = windows("win-2026-10", "2026-10-16", "2026-10")
    win = r.image("win-2026-10", t_new, layers, os_="windows", config_lo=3000, config_hi=6000,
                  locked=True)
    # The team locked the current Windows image (az acr repository update --write-enabled false
    # --delete-enabled false) on the tag and on the manifest.
    r.tag("8.0-windowsservercore-ltsc2022", win, t_old, t_new, locked=True)
    return r


# ----------------------------------------------------------------------------------------------
# team-a/auth-svc: a nightly CI build for 20 nights (12-31 October).  Each night pushes
# `latest`; only the 3 newest manifests still carry a tag.


def make_auth():
    r = Repo("team-a/auth-svc")
    nights = ["2026-10-%02d" % d for d in range(12, 32)]
    pkg = {12: "P1", 15: "P2", 21: "P3", 27: "P4"}   # NuGet restore layer changes on these days
    cur = None
    digests = {}
    times = {}
    for day in nights:
        d = int(day[-2:])
        cur = pkg.get(d, cur)
        base = ("10a", "8.0.10") if d < 23 else ("10b", "8.0.10")
        layers = dotnet_layers("amd64", *base) + [
            blob("auth-nuget/%s" % cur, 24_000_000, 27_000_000),
            blob("auth-app/%s" % day, 9_000_000, 13_000_000),
            blob("auth-appsettings/1", 1_200, 2_000),
        ]
        mm, ss = pick("auth-min/" + day, 10, 24), pick("auth-sec/" + day, 0, 59)
        t = at("%sT02:%02d:%02d" % (day, mm, ss), "%s/%s" % (r.name, day))
        digests[day] = r.image("nightly-" + day, t, layers)
        times[day] = t
    r.tag("latest", digests["2026-10-31"], at("2026-03-02T02:11:48", "auth/latest-created"),
          times["2026-10-31"])
    # Release 1.4.2 was cut from the 30 Oct nightly in the afternoon (tag newer than the push).
    r.tag("1.4.2", digests["2026-10-30"], at("2026-10-30T15:42:07", "auth/1.4.2"))
    # A developer pinned the 29 Oct nightly for QA by its commit.
    r.tag("sha-" + commit("auth/2026-10-29"), digests["2026-10-29"],
          at("2026-10-29T09:30:55", "auth/sha"))
    return r


# ----------------------------------------------------------------------------------------------
# team-a/web: static front end on nginx-alpine, multi-arch OCI indexes.


def make_web():
    r = Repo("team-a/web")

    def release(label, day, clock, alpine, nginx, site):
        kids = []
        for i, arch in enumerate(ARCHES):
            layers = [
                blob("alpine/%s/%s" % (arch, alpine), 3_400_000, 4_200_000),
                blob("nginx/%s/%s" % (arch, nginx), 14_000_000, 16_500_000),
                blob("nginx-entrypoint/%s/%s" % (arch, nginx), 600, 1_400),
                blob("web-nginx-conf/1", 1_000, 1_600),                 # same on both arches
                blob("web-static/%s" % site, 18_000_000, 26_000_000),   # same on both arches
            ]
            # each child is pushed a few seconds before the index that lists it
            t = at(shift("%sT%s" % (day, clock), -9 + 4 * i), "%s/%s/%s" % (r.name, label, arch))
            kids.append(r.image("%s/%s" % (label, arch), t, layers, arch=arch, mt=OCI_MANIFEST,
                                config_lo=1_500, config_hi=2_600))
        t = at("%sT%s" % (day, clock), "%s/%s/index" % (r.name, label))
        return r.index(label, t, kids, mt=OCI_INDEX), t

    i220, t220 = release("2.2.0", "2026-08-20", "14:05:33", "3.20.2", "1.27.1", "2.2.0")
    i230, t230 = release("2.3.0", "2026-09-15", "10:17:45", "3.20.3", "1.27.1", "2.3.0")
    i231, t231 = release("2.3.1", "2026-09-29", "16:48:21", "3.20.3", "1.27.1", "2.3.1")
    irc, trc = release("2.4.0-rc.1", "2026-10-14", "11:02:39", "3.20.3", "1.27.2", "2.4.0-rc.1")
    # Preview of pull request 412, pushed as :pr-412; the tag was deleted when the PR merged.
    release("pr-412", "2026-10-20", "13:26:50", "3.20.3", "1.27.2", "pr-412")
    i240, t240 = release("2.4.0", "2026-10-27", "09:55:14", "3.20.3", "1.27.2", "2.4.0")

    r.tag("2.2.0", i220, t220)
    r.tag("2.3.0", i230, t230)
    r.tag("2.3.1", i231, t231)
    r.tag("stable", i231, t220, at("2026-10-05T08:03:26", "web/stable"))   # promoted after QA
    r.tag("2.4.0-rc.1", irc, trc)
    r.tag("2.4.0", i240, t240)
    r.tag("2.4", i240, t240)
    r.tag("latest", i240, at("2026-06-11T12:40:09", "web/latest-created"), t240)
    return r


# ----------------------------------------------------------------------------------------------
# team-b/billing-api: OCI image manifests (BuildKit), releases signed with Notation; one SBOM.


def make_billing():
    r = Repo("team-b/billing-api")
    builds = [
        # label, day, clock, debian release, .NET version, NuGet layer
        ("b1", "2026-07-06", "10:12:40", "07", "8.0.7", "Q1"),
        ("b2", "2026-08-03", "15:31:02", "07", "8.0.7", "Q1"),
        ("b3", "2026-08-24", "11:47:19", "08", "8.0.8", "Q2"),
        ("b4", "2026-09-10", "14:05:51", "08", "8.0.8", "Q2"),
        ("b5", "2026-09-21", "09:38:27", "08", "8.0.8", "Q2"),
        ("b6", "2026-10-05", "16:20:08", "08", "8.0.8", "Q3"),
        ("b7", "2026-10-19", "13:14:45", "10a", "8.0.10", "Q3"),
        ("b8", "2026-10-28", "10:51:36", "10b", "8.0.10", "Q4"),
    ]
    m, t = {}, {}
    for label, day, clock, rel, ver, nuget in builds:
        layers = dotnet_layers("amd64", rel, ver) + [
            blob("billing-nuget/%s" % nuget, 33_000_000, 38_000_000),
            blob("billing-app/%s" % label, 6_000_000, 9_000_000),
        ]
        t[label] = at("%sT%s" % (day, clock), "%s/%s" % (r.name, label))
        m[label] = r.image(label, t[label], layers, mt=OCI_MANIFEST, config_lo=2_500,
                           config_hi=6_000)

    # 1.0.0 is the version in production: its *tag* is locked, the manifest is not.
    r.tag("1.0.0", m["b1"], t["b1"], locked=True)
    r.tag("1.1.0", m["b3"], t["b3"])
    r.tag("1.1.1", m["b5"], t["b5"])
    r.signature("sig-b5", at("2026-09-21T09:39:02", "billing/sig-b5"), m["b5"])
    # b6 was 1.2.0-rc.1; the rc tag was deleted, its signature stays until b6 goes.
    r.signature("sig-b6", at("2026-10-05T16:20:41", "billing/sig-b6"), m["b6"])
    # b7 was pushed by CI under its commit tag and promoted a week later to 1.2.0 / stable.
    r.tag("sha-" + commit("billing/b7"), m["b7"], t["b7"])
    promoted = at("2026-10-26T09:12:18", "billing/promote-1.2.0")
    r.tag("1.2.0", m["b7"], promoted)
    r.tag("stable", m["b7"], t["b1"], promoted)
    r.signature("sig-b7", at("2026-10-26T09:13:04", "billing/sig-b7"), m["b7"])
    r.sbom("sbom-b7", at("2026-10-26T09:13:37", "billing/sbom-b7"), m["b7"])
    r.tag("sha-" + commit("billing/b8"), m["b8"], t["b8"])
    return r


# ----------------------------------------------------------------------------------------------
# tools/ci-runner: self-hosted CI agent image, rebuilt every Monday; ~1.5 GB each, mostly
# shared layers plus a weekly tool cache.


def make_ci():
    r = Repo("tools/ci-runner")
    weeks = ["2026-08-24", "2026-08-31", "2026-09-07", "2026-09-14", "2026-09-21",
             "2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"]
    m, t = {}, {}
    for day in weeks:
        rel = "08" if day < "2026-10-09" else ("10a" if day < "2026-10-23" else "10b")
        apt = {"08": "T1", "10a": "T2", "10b": "T3"}[rel]
        docker = "K1" if day < "2026-09-30" else "K2"
        azcli = "A1" if day < "2026-09-15" else ("A2" if day < "2026-10-15" else "A3")
        sdk = "S1" if day < "2026-10-10" else "S2"
        layers = [
            debian("amd64", rel),
            blob("ci-apt/%s" % apt, 300_000_000, 330_000_000),
            blob("ci-docker/%s" % docker, 74_000_000, 82_000_000),
            blob("ci-azure-cli/%s" % azcli, 270_000_000, 300_000_000),
            blob("ci-dotnet-sdk/%s" % sdk, 205_000_000, 225_000_000),
            blob("ci-node/N1", 46_000_000, 50_000_000),
            blob("ci-toolcache/%s" % day, 560_000_000, 620_000_000),
            blob("ci-entrypoint/1", 1_800, 2_400),
        ]
        t[day] = at("%sT05:3%d:%02d" % (day, pick("ci-min/" + day, 0, 9),
                                         pick("ci-sec/" + day, 0, 59)), "%s/%s" % (r.name, day))
        m[day] = r.image(day, t[day], layers, config_lo=9_000, config_hi=14_000)
    for day in weeks[-3:]:
        r.tag(day.replace("-", ""), m[day], t[day])
    r.tag("latest", m[weeks[-1]], at("2025-11-17T05:33:20", "ci/latest-created"), t[weeks[-1]])
    return r


# ----------------------------------------------------------------------------------------------
# Checks and output


def check(bundle):
    seen = set()
    sizes = {}
    total = 0
    for repo in bundle["repositories"]:
        byd = {m["digest"]: m for m in repo["manifests"]}
        assert len(byd) == len(repo["manifests"])
        tagged = {}
        for m in repo["manifests"]:
            d = m["digest"]
            assert d.startswith("sha256:") and len(d) == 71 and d not in seen, d
            seen.add(d)
            total += 1
            assert m["createdTime"] <= m["lastUpdateTime"] <= EXPORTED_AT
            for name in m["tags"]:
                tagged[name] = d
            for layer in m.get("layers", []):
                assert sizes.setdefault(layer["digest"], layer["size"]) == layer["size"]
            if "layers" in m and "configMediaType" in m:
                gap = m["imageSize"] - sum(layer["size"] for layer in m["layers"])
                assert 0 < gap < 20_000, (d, gap)
            for ref in m.get("references", []):
                assert ref["digest"] in byd and not byd[ref["digest"]]["tags"]
            if "subject" in m:
                assert m["subject"]["digest"] in byd and not m["tags"]
        assert {t["name"]: t["digest"] for t in repo["tags"]} == tagged, repo["name"]
        for t in repo["tags"]:
            assert t["createdTime"] <= t["lastUpdateTime"] <= EXPORTED_AT, t
            assert t["lastUpdateTime"] <= byd[t["digest"]]["lastUpdateTime"]
    assert not seen & set(sizes), "a manifest digest equals a blob digest"
    assert 50 <= total <= 80, total
    auth = [r for r in bundle["repositories"] if r["name"] == "team-a/auth-svc"][0]
    assert len(auth["manifests"]) == 20
    assert sum(1 for m in auth["manifests"] if m["tags"]) == 3
    assert any(m["imageSize"] > 2**31 for r in bundle["repositories"] for m in r["manifests"])


def stats(bundle, out):
    gib = float(2**30)
    all_blobs = {}
    for repo in bundle["repositories"]:
        ms = repo["manifests"]
        blobs = {l["digest"]: l["size"] for m in ms for l in m.get("layers", [])}
        all_blobs.update(blobs)
        out.write("%-22s %3d manifests (%2d tagged, %2d untagged), %2d tags, "
                  "imageSize sum %6.2f GiB, distinct layers %6.2f GiB\n" % (
                      repo["name"], len(ms), sum(1 for m in ms if m["tags"]),
                      sum(1 for m in ms if not m["tags"]), len(repo["tags"]),
                      sum(m["imageSize"] for m in ms) / gib, sum(blobs.values()) / gib))
    n = sum(len(r["manifests"]) for r in bundle["repositories"])
    s = sum(m["imageSize"] for r in bundle["repositories"] for m in r["manifests"])
    out.write("total: %d manifests, imageSize sum %.2f GiB, deduplicated layers %.2f GiB "
              "(%d blobs)\n" % (n, s / gib, sum(all_blobs.values()) / gib, len(all_blobs)))


def main(argv):
    out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "devreg.json")
    want_check = want_stats = False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-o" and args:
            out_path = args.pop(0)
        elif a == "--check":
            want_check = True
        elif a == "--stats":
            want_stats = True
        elif a in ("-h", "--help"):
            sys.stdout.write(__doc__.lstrip())
            return 0
        else:
            sys.stderr.write("make-sample.py: unknown argument %r (see --help)\n" % a)
            return 2

    repos = [make_base(), make_auth(), make_web(), make_billing(), make_ci()]
    bundle = {"registry": REGISTRY, "exportedAt": EXPORTED_AT, "sku": SKU,
              "repositories": [r.render() for r in sorted(repos, key=lambda r: r.name)]}
    check(bundle)
    text = json.dumps(bundle, indent=2) + "\n"
    if want_stats:
        stats(bundle, sys.stderr)
    if want_check:
        try:
            with open(out_path, encoding="utf-8") as f:
                same = f.read() == text
        except OSError:
            same = False
        sys.stderr.write("%s: %s\n" % (out_path, "up to date" if same else "DIFFERS"))
        return 0 if same else 1
    if out_path == "-":
        sys.stdout.write(text)
    else:
        tmp = out_path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
