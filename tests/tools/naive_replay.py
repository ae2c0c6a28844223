#!/usr/bin/env python3
"""naive_replay.py - the "straightforward script" that issue #15 measures purgesim against.

What someone would write in an afternoon to answer the same question as
`purgesim simulate -i BUNDLE -p p3.ini` (the 3 policies of tests/tools/bench.sh):
json.load of the whole bundle, then a dict-based replay of each policy over the same window,
one policy after another, in plain Python (no numpy, no threads). It is meant to be a fair
baseline, not a slow one: natural events are sorted once and applied in time order, each
policy keeps dicts of what is present and which tags are live, stored bytes and blob reference
counts are updated incrementally, retention uses a timer heap, and a purge run visits what is
present at its instant rather than the whole history.

Rules, in their plain meaning (sim/RULES.md and sim/REPLAY.md have purgesim's full ones):
- history: a manifest appears at its createdTime; a current tag arrives at its lastUpdateTime
  (not before its manifest); an untagged top-level manifest carried the repository's moving tag
  from its push until the next top-level push (or its own lastUpdateTime if later), as
  purgesim's default --untag-model next-push assumes;
- window: the first midnight at or after the first push to the last midnight at or before
  exportedAt (UTC); nightly runs at 00:00 on each day of it; weekly runs on
  Sundays at 03:00; retention is enabled at the window's start;
- acr purge --filter '.*:.*' --ago A [--keep K] --untagged: tags older than now-A and unlocked
  are candidates, the K newest by lastUpdateTime spared; then untagged, unlocked manifests whose
  lastUpdateTime (the export's once the run reaches it, else the push) is not after now-A, not
  protected by a tagged or young index, not an OCI referrer, the K newest spared again; a
  deleted manifest takes its referrers with it;
- retention N days: a manifest untagged (after the window opens) and still untagged N days
  later is deleted then, unless locked, an index child or a referrer;
- a baseline that deletes nothing is replayed too, as purgesim does; each policy records the
  stored bytes (imageSize sum and deduplicated blobs) at the end of every day.

Usage: naive_replay.py BUNDLE [--limit-repos N]
Prints per-policy counts and, last, one line "naive_seconds total=... load=... prepare=...
replay=..." (wall times, time.perf_counter) that bench.sh reads. --limit-repos replays only the
first N repositories (a slice, for an estimate on a smaller machine; the JSON is still read
whole).
"""
import argparse
import heapq
import json
import sys
import time

DAY = 86400 * 10**9
HOUR = 3600 * 10**9

_day_cache = {}


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_time(s):
    """RFC 3339 UTC time as az prints it ("2026-10-29T12:39:57.8517632Z") -> ns since epoch."""
    if not s:
        return None
    day = _day_cache.get(s[:10])
    if day is None:
        day = days_from_civil(int(s[0:4]), int(s[5:7]), int(s[8:10]))
        _day_cache[s[:10]] = day
    secs = int(s[11:13]) * 3600 + int(s[14:16]) * 60 + int(s[17:19])
    frac = 0
    if len(s) > 20 and s[19] == '.':
        digits = s[20:].rstrip('Z')
        frac = int(digits.ljust(9, '0')[:9])
    return day * DAY + secs * 10**9 + frac


def unlocked(attrs):
    attrs = attrs or {}
    return attrs.get('deleteEnabled', True) is not False and attrs.get('writeEnabled', True) is not False


INDEX_TYPES = ('application/vnd.docker.distribution.manifest.list.v2+json',
               'application/vnd.oci.image.index.v1+json')
OCI_REFERRER_TYPES = ('application/vnd.oci.image.manifest.v1+json',
                      'application/vnd.oci.artifact.manifest.v1+json')


class Manifest:
    __slots__ = ('digest', 'push', 'lut', 'size', 'locked', 'index', 'children', 'never_purged',
                 'has_media', 'blobs', 'child', 'referrers', 'subject')


def prepare(doc):
    """The natural history: per repository its manifests, and one time-sorted list of events
    (kind 0 push, 1 tag leaves, 2 tag arrives, as purgesim orders one instant)."""
    repos = []
    events = []
    first_push = None
    exported = parse_time(doc['exportedAt'])
    for ri, r in enumerate(doc['repositories']):
        mans = {}
        for m in r.get('manifests') or []:
            x = Manifest()
            x.digest = m['digest']
            x.lut = parse_time(m.get('lastUpdateTime'))
            x.push = parse_time(m.get('createdTime')) or x.lut or exported
            if x.push > exported:
                x.push = exported
            if x.lut is None:
                x.lut = x.push
            x.size = m.get('imageSize') or 0
            x.locked = not unlocked(m.get('changeableAttributes'))
            mt = m.get('mediaType')
            x.has_media = bool(mt)
            x.index = mt in INDEX_TYPES
            x.children = [c['digest'] for c in (m.get('references') or [])]
            # OCI manifests with a subject are never deleted by purge (they go with it)
            x.subject = bool(m.get('subject'))
            x.never_purged = x.subject and (mt in OCI_REFERRER_TYPES or (x.index and not x.children))
            x.blobs = [(b['digest'], b.get('size') or 0) for b in (m.get('layers') or [])]
            x.child = False
            x.referrers = []
            mans[x.digest] = x
        for m in r.get('manifests') or []:
            x = mans[m['digest']]
            for c in x.children:
                if c in mans:
                    mans[c].child = True
            s = (m.get('subject') or {}).get('digest')
            if s in mans:
                mans[s].referrers.append(x.digest)
        # current tags, and the moving tag: the one updated last (first by name on a tie)
        tags = []
        for t in r.get('tags') or []:
            if t.get('digest') not in mans:
                continue
            lut = parse_time(t.get('lastUpdateTime')) or mans[t['digest']].push
            tags.append((t['name'], t['digest'], lut, not unlocked(t.get('changeableAttributes'))))
        moving, moving_at = 'latest', None
        for name, _, lut, _ in sorted(tags, key=lambda t: (-t[2], t[0]))[:1]:
            moving = name
        tagged = set()
        for name, dg, lut, locked in tags:
            at = max(lut, mans[dg].push)
            if name == moving:
                moving_at = at if moving_at is None else min(moving_at, at)
            events.append((at, 2, ri, name, dg, lut, locked))
            tagged.add(dg)
        for x in mans.values():
            events.append((x.push, 0, ri, x.digest, None, None, None))
            if first_push is None or x.push < first_push:
                first_push = x.push
        # the assumed moving tag of untagged top-level manifests, until the next top-level push
        top = sorted((x for x in mans.values() if not x.child and not x.subject),
                     key=lambda x: (x.push, x.digest))
        for i, x in enumerate(top):
            if x.digest in tagged:
                continue
            end = top[i + 1].push if i + 1 < len(top) else x.lut
            end = max(end, x.lut)
            end = min(end, exported)
            if moving_at is not None:
                end = min(end, moving_at)
            if end > x.push:
                events.append((x.push, 2, ri, moving, x.digest, x.push, False))
                events.append((end, 1, ri, moving, x.digest, None, None))
        repos.append(mans)
    events.sort(key=lambda e: (e[0], e[1]))
    return repos, events, exported, first_push


class Policy:
    def __init__(self, name, ago_days=None, keep=0, weekly=False, retention_days=None):
        self.name, self.ago, self.keep, self.weekly = name, ago_days, keep, weekly
        self.retention = retention_days

    def runs(self, day_start):
        if self.ago is None:
            return []
        if self.weekly:
            dow = (day_start // DAY + 4) % 7   # 0 = Sunday; 1970-01-01 was a Thursday
            return [day_start + 3 * HOUR] if dow == 0 else []
        return [day_start]


def replay(pol, repos, events, w_start, w_end):
    n = len(repos)
    present = [dict() for _ in range(n)]
    live = [dict() for _ in range(n)]        # tag name -> (digest, lastUpdateTime, locked)
    ntags = [dict() for _ in range(n)]       # digest -> live tags
    gen = [dict() for _ in range(n)]         # digest -> untag generation (retention)
    deleted = [set() for _ in range(n)]
    blobref = {}
    st = {'stored': 0, 'dedup': 0, 'tags': 0, 'purged': 0, 'retention': 0, 'cascade': 0}
    timers = []
    seq = [0]

    def untagged_now(ri, dg, t):
        if pol.retention is None or t < w_start:
            return
        m = repos[ri][dg]
        if m.locked or m.child or m.subject:
            return
        g = gen[ri].get(dg, 0) + 1
        gen[ri][dg] = g
        seq[0] += 1
        heapq.heappush(timers, (t + pol.retention * DAY, seq[0], ri, dg, g))

    def add(ri, m):
        present[ri][m.digest] = m
        st['stored'] += m.size
        for b, size in m.blobs:
            c = blobref.get(b, 0)
            if c == 0:
                st['dedup'] += size
            blobref[b] = c + 1

    def remove(ri, dg, why):
        m = present[ri].pop(dg, None)
        if m is None:
            return
        deleted[ri].add(dg)
        st[why] += 1
        st['stored'] -= m.size
        for b, size in m.blobs:
            c = blobref[b] - 1
            if c == 0:
                del blobref[b]
                st['dedup'] -= size
            else:
                blobref[b] = c
        if ntags[ri].get(dg):
            for name in [k for k, v in live[ri].items() if v[0] == dg]:
                del live[ri][name]
            ntags[ri][dg] = 0
        for r in m.referrers:
            remove(ri, r, 'cascade')

    def apply(e):
        t, kind, ri, a, dg, lut, locked = e
        if kind == 0:
            if a not in deleted[ri]:
                add(ri, repos[ri][a])
                untagged_now(ri, a, t)
        elif kind == 2:
            if dg in present[ri]:
                old = live[ri].get(a)
                if old is not None:
                    ntags[ri][old[0]] -= 1
                    if ntags[ri][old[0]] == 0:
                        untagged_now(ri, old[0], t)
                live[ri][a] = (dg, lut, locked)
                ntags[ri][dg] = ntags[ri].get(dg, 0) + 1
                gen[ri][dg] = gen[ri].get(dg, 0) + 1   # a tag arriving cancels the timer
        else:
            cur = live[ri].get(a)
            if cur is not None and cur[0] == dg:
                del live[ri][a]
                ntags[ri][dg] -= 1
                if ntags[ri][dg] == 0:
                    untagged_now(ri, dg, t)

    def expire(timer):
        _, _, ri, dg, g = timer
        if gen[ri].get(dg) == g and dg in present[ri] and not ntags[ri].get(dg):
            remove(ri, dg, 'retention')

    def purge(now):
        cutoff = now - pol.ago * DAY
        keep = pol.keep
        for ri in range(n):
            lv = live[ri]
            if lv:
                cands = [(lut, name) for name, (dg, lut, locked) in lv.items() if lut < cutoff and not locked]
                if len(cands) > keep:
                    cands.sort(key=lambda c: (-c[0], c[1]))
                    for _, name in cands[keep:]:
                        dg = lv.pop(name)[0]
                        st['tags'] += 1
                        ntags[ri][dg] -= 1
                        if ntags[ri][dg] == 0:
                            untagged_now(ri, dg, now)
            pres = present[ri]
            if not pres:
                continue
            protected = set()
            cand = []
            nt = ntags[ri]
            for dg, m in pres.items():
                if m.locked:
                    continue
                lut = m.lut if now >= m.lut else m.push
                if nt.get(dg) or lut > cutoff:
                    if m.index:
                        stack = list(m.children)
                        while stack:
                            c = stack.pop()
                            if c not in protected:
                                protected.add(c)
                                cm = pres.get(c)
                                if cm is not None and cm.index:
                                    stack.extend(cm.children)
                    continue
                cand.append((lut, dg, m))
            dels = [(lut, dg) for lut, dg, m in cand
                    if dg not in protected and not m.never_purged and m.has_media]
            if keep:
                if len(dels) <= keep:
                    continue
                dels.sort(key=lambda c: (-c[0], c[1]))
                dels = dels[keep:]
            for _, dg in dels:
                remove(ri, dg, 'purged')

    ei = 0
    ne = len(events)
    days = []

    def advance(t, inclusive):
        nonlocal ei
        while True:
            te = events[ei][0] if ei < ne else None
            tt = timers[0][0] if timers else None
            if te is not None and (te < t or inclusive and te == t) and (tt is None or te <= tt):
                apply(events[ei])
                ei += 1
            elif tt is not None and (tt < t or inclusive and tt == t):
                expire(heapq.heappop(timers))
            else:
                return

    d = w_start
    while d < w_end:
        for run in pol.runs(d):
            advance(run, True)
            purge(run)
        advance(d + DAY, False)              # events at exactly midnight belong to the next day
        days.append((st['stored'], st['dedup']))
        d += DAY
    return st, days


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('bundle')
    ap.add_argument('--limit-repos', type=int, default=0)
    a = ap.parse_args()
    t0 = time.perf_counter()
    with open(a.bundle, 'rb') as f:
        doc = json.load(f)
    t1 = time.perf_counter()
    if a.limit_repos:
        doc['repositories'] = doc['repositories'][:a.limit_repos]
    repos, events, exported, first_push = prepare(doc)
    w_start = -(-first_push // DAY) * DAY
    w_end = exported // DAY * DAY
    t2 = time.perf_counter()
    policies = [Policy('baseline'), Policy('nightly-keep3', ago_days=0, keep=3),
                Policy('weekly-30d', ago_days=30, weekly=True), Policy('retention-7d', retention_days=7)]
    print(f'naive replay: {len(repos)} repositories, {sum(len(r) for r in repos)} manifests, '
          f'{len(events)} natural events, {(w_end - w_start) // DAY} days')
    for p in policies:
        tp = time.perf_counter()
        st, days = replay(p, repos, events, w_start, w_end)
        avg = sum(x[1] for x in days) / max(len(days), 1)
        print(f'  {p.name:14s} tags {st["tags"]:8d}  purged {st["purged"]:8d}  retention {st["retention"]:8d}  '
              f'cascaded {st["cascade"]:7d}  end {days[-1][1] / 2**30 if days else 0:10.2f} GiB  '
              f'avg {avg / 2**30:10.2f} GiB  ({time.perf_counter() - tp:.2f} s)')
    t3 = time.perf_counter()
    print(f'naive_seconds total={t3 - t0:.3f} load={t1 - t0:.3f} prepare={t2 - t1:.3f} replay={t3 - t2:.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
