#!/usr/bin/env python3
"""Writes data/sample/devreg-events.json: the repository event log of the sample registry
(devreg.json) as `az monitor log-analytics query -o json` prints it (a flat array, every value a
string, "None" for null), and data/sample/in-use.txt, the images production runs.

The story it tells (see data/sample/README.md):
- every manifest of the export was pushed at its createdTime (201), with its tags;
- production runs team-b/billing-api pinned BY DIGEST to the 1.1.0 image (sha256:cc2dffd3...),
  pulled every day at 06:00 in October: a policy that deletes that untagged-by-keep image breaks
  those pulls;
- the web front end pulls team-a/web:stable every day at 07:30 (by tag);
- CI jobs pull the newest weekly tools/ci-runner:YYYYMMDD tag every hour of working days;
- one pull of a tag that never existed failed (404) and one row is another registry's.
Deterministic: running it again writes the same bytes.
"""
import json
import os
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
LOGIN = "devreg.azurecr.io"


def iso(t):
    # Log Analytics prints seven fraction digits; the reader takes any number
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%07d" % (t.microsecond * 10) + "Z"


def row(t, op, repo, tag="None", digest="None", size="None", status="200", login=LOGIN, media="None"):
    return {
        "TableName": "PrimaryResult",
        "TenantId": "00000000-0000-0000-0000-000000000000",
        "TimeGenerated": iso(t),
        "OperationName": op,
        "Repository": repo,
        "Tag": tag,
        "Digest": digest,
        "MediaType": media,
        "Size": size,
        "ArtifactType": "None",
        "LoginServer": login,
        "Identity": "None",
        "UserAgent": "containerd/1.7.20" if op == "Pull" else "docker/27.1.1",
        "CallerIpAddress": "203.0.113.10",
        "CorrelationId": "None",
        "DurationMs": "31",
        "ResultType": "HttpStatusCode",
        "ResultDescription": status,
        "Region": "australiaeast",
        "Category": "ContainerRegistryRepositoryEvents",
        "SourceSystem": "Azure",
        "Type": "ContainerRegistryRepositoryEvents",
    }


def parse(s):
    return datetime.strptime(s[:26].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)


def main():
    bundle = json.load(open(os.path.join(HERE, "devreg.json")))
    rows = []
    for repo in bundle["repositories"]:
        tags_of = {}
        for t in repo.get("tags", []):
            tags_of.setdefault(t["digest"], []).append(t["name"])
        for m in repo["manifests"]:
            if not m.get("createdTime"):
                continue
            t = parse(m["createdTime"])
            for tag in tags_of.get(m["digest"], ["None"]):
                rows.append(row(t, "Push", repo["name"], tag, m["digest"], str(m.get("imageSize", 0)), "201",
                                media=m.get("mediaType", "None")))
    day = datetime(2026, 10, 1, tzinfo=timezone.utc)
    pinned = next(m["digest"] for r in bundle["repositories"] if r["name"] == "team-b/billing-api"
                  for m in r["manifests"] if m["digest"].startswith("sha256:cc2dffd3f3c8"))
    ci = sorted((parse(t["lastUpdateTime"]), t["name"]) for r in bundle["repositories"]
                if r["name"] == "tools/ci-runner" for t in r.get("tags", []) if t["name"].isdigit())
    for d in range(31):
        t = day + timedelta(days=d)
        # a pull by digest carries the digest in the Tag column, the Digest column "<nil>"
        rows.append(row(t + timedelta(hours=6, seconds=d), "Pull", "team-b/billing-api", pinned, "<nil>"))
        rows.append(row(t + timedelta(hours=7, minutes=30, seconds=d), "Pull", "team-a/web", "stable"))
        if t.weekday() < 5:
            for h in range(9, 18):
                when = t + timedelta(hours=h, minutes=d % 60)
                weekly = [name for (set_at, name) in ci if set_at <= when]
                if weekly:
                    rows.append(row(when, "Pull", "tools/ci-runner", weekly[-1]))
    rows.append(row(day + timedelta(days=3, hours=12), "Pull", "team-a/web", "2.1.0", status="404"))
    rows.append(row(day + timedelta(days=4, hours=12), "Pull", "team-a/web", "latest", login="prodreg.azurecr.io"))
    rows.sort(key=lambda r: (r["TimeGenerated"], r["OperationName"], r["Repository"], r["Tag"]))
    with open(os.path.join(HERE, "devreg-events.json"), "w") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, "in-use.txt"), "w") as f:
        f.write("# images production runs (kubectl get pods -A -o json gives the same)\n")
        f.write(LOGIN + "/team-b/billing-api@" + pinned + "\n")
        f.write(LOGIN + "/team-a/web:stable\n")
        f.write("team-a/web:latest\n")
        f.write("# another registry's image: counted and skipped\n")
        f.write("docker.io/library/nginx:1.27\n")


if __name__ == "__main__":
    main()
