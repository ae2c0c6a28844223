#!/usr/bin/env python3
"""Write a purgesim price table from the Azure Retail Prices API (data/pricing/README.md).

usage: refresh-prices.py [--region REGION] [--currency CODE] [--unit GiB|GB]
                         [--from-file PAGE.json]... [-o OUT.json | -o -] [--list-meters] [-q]

Queries https://prices.azure.com/api/retail/prices (no sign-in) for the Container Registry
meters of one region in one currency, follows NextPageLink until it is null, and writes a table
in the format purgesim reads (data/pricing/acr-aud.json):

  Basic / Standard / Premium Registry Unit (1/Day)   -> skus.<SKU>.fee_per_day
  Data Stored (1 GB/Month)                           -> overage_per_gb_day = retailPrice / 30.4375
                                                        (365.25 / 12 days; a 1 GB/Day price is
                                                        used as it is)
  included storage                                   -> 10 / 100 / 500 from the SKU documentation
                                                        (the API has no included amounts)

"date" is the newest effectiveStartDate of the meters used and "source" the query URL. The
default output is acr-<currency>-<date>.json beside this script, the name under which purgesim
finds it (the newest table by default, --pricing-date for older ones).

  --region REGION      armRegionName of the registry (default australiaeast)
  --currency CODE      currencyCode (default AUD)
  --unit GiB|GB        the unit written into the table (default GiB, as acr-aud.json; the API
                       says GB, Microsoft's tier limits say GiB: data/pricing/README.md, Units)
  --from-file FILE     read a recorded response page instead of the network; repeat it for
                       each page, in order (a page whose NextPageLink is not null must be
                       followed by the next one)
  -o, --output FILE    where to write the table ("-": standard output)
  --list-meters        print the distinct meterName, unitOfMeasure, skuName and retailPrice
                       and write nothing
  -q, --quiet          no progress on standard error

Exit status: 0 written, 1 the response lacks a meter or is not what is expected (the message
names it), 2 bad usage, 3 network or file error.
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

API = "https://prices.azure.com/api/retail/prices"
DAYS_PER_MONTH = 365.25 / 12  # 30.4375, purgesim's month (PRICING_DAYS_PER_MONTH)
SKUS = (("Basic", "Basic Registry Unit", 10), ("Standard", "Standard Registry Unit", 100),
        ("Premium", "Premium Registry Unit", 500))
STORAGE_METER = "Data Stored"
INCLUDED_SOURCE = ("Microsoft Learn, 'Azure Container Registry service tiers' "
                   "(https://learn.microsoft.com/azure/container-registry/container-registry-skus): "
                   "10 / 100 / 500 included for Basic / Standard / Premium; the Retail Prices API "
                   "has no included amounts")


class DataError(Exception):
    """The response lacks something the table needs (exit 1)."""


class FetchError(Exception):
    """The network or a file failed (exit 3)."""


def query_url(region, currency):
    flt = ("serviceName eq 'Container Registry' and priceType eq 'Consumption' "
           "and armRegionName eq '%s'" % region)
    return API + "?" + urllib.parse.urlencode({"currencyCode": "'%s'" % currency, "$filter": flt},
                                              quote_via=urllib.parse.quote)


def load_page(text, where):
    try:
        page = json.loads(text)
    except ValueError as e:
        raise DataError("%s: not JSON: %s" % (where, e)) from None
    if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
        raise DataError("%s: expected an object with an \"Items\" array (a Retail Prices API response)"
                        % where)
    return page


def pages_from_files(files):
    items = []
    for i, f in enumerate(files):
        try:
            with open(f, encoding="utf-8") as fp:
                page = load_page(fp.read(), f)
        except OSError as e:
            raise FetchError("%s: %s" % (f, e.strerror)) from None
        items.extend(page["Items"])
        nxt = page.get("NextPageLink")
        if nxt and i == len(files) - 1:
            raise DataError("%s: the response continues at NextPageLink %s: give that page as the "
                            "next --from-file" % (f, nxt))
        if not nxt and i < len(files) - 1:
            raise DataError("%s: NextPageLink is null, yet more --from-file pages follow" % f)
    return items


def pages_from_api(url, quiet):
    items, n = [], 0
    while url:
        n += 1
        if n > 100:
            raise DataError("more than 100 pages: stopped following NextPageLink at %s" % url)
        if not quiet:
            print("refresh-prices: GET %s" % url, file=sys.stderr)
        try:
            req = urllib.request.Request(url, headers={"Accept": "application/json",
                                                       "User-Agent": "purgesim-refresh-prices"})
            with urllib.request.urlopen(req, timeout=60) as r:
                text = r.read().decode("utf-8")
        except (urllib.error.URLError, OSError, UnicodeDecodeError) as e:
            raise FetchError("GET %s: %s" % (url, getattr(e, "reason", e))) from None
        page = load_page(text, url)
        items.extend(page["Items"])
        url = page.get("NextPageLink")
    return items


def num(item, key):
    v = item.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise DataError("meter %r: %s is %r, expected a non-negative number"
                        % (item.get("meterName"), key, v))
    return float(v)


def day(item):
    s = item.get("effectiveStartDate")
    try:
        return datetime.date.fromisoformat(str(s)[:10]).isoformat()
    except ValueError:
        raise DataError("meter %r: effectiveStartDate is %r, expected a date"
                        % (item.get("meterName"), s)) from None


def relevant(items, region, currency):
    """The Container Registry consumption items of the region and currency."""
    out = []
    for it in items:
        if not isinstance(it, dict):
            raise DataError("an element of Items is not an object: %r" % (it,))
        if it.get("serviceName", "Container Registry") != "Container Registry":
            continue
        if str(it.get("armRegionName", region)).lower() != region.lower():
            continue
        if it.get("type", "Consumption") != "Consumption":
            continue
        if str(it.get("currencyCode", currency)).upper() != currency.upper():
            raise DataError("meter %r is priced in %s, not %s"
                            % (it.get("meterName"), it.get("currencyCode"), currency))
        out.append(it)
    return out


def pick(items, meter):
    """The one price of a meter: its first tier, newest effectiveStartDate; several prices left
    (e.g. per SKU) are an error naming them."""
    cands = [it for it in items if it.get("meterName") == meter]
    if not cands:
        seen = sorted({str(it.get("meterName")) for it in items})
        raise DataError("meter %r is not in the response (meters there: %s)"
                        % (meter, ", ".join(seen) if seen else "none"))
    low = min(float(it.get("tierMinimumUnits") or 0) for it in cands)
    cands = [it for it in cands if float(it.get("tierMinimumUnits") or 0) == low]
    newest = max(day(it) for it in cands)
    cands = [it for it in cands if day(it) == newest]
    prices = {(num(it, "retailPrice"), it.get("unitOfMeasure")) for it in cands}
    if len(prices) > 1:
        raise DataError("meter %r has %d prices in force on %s: %s" % (
            meter, len(prices), newest,
            "; ".join("%s %s per %s" % (it.get("skuName"), it.get("retailPrice"), it.get("unitOfMeasure"))
                      for it in cands)))
    return cands[0]


def per_day_fee(it):
    u = str(it.get("unitOfMeasure", "")).replace(" ", "").lower()
    p = num(it, "retailPrice")
    if u in ("1/day", "1day"):
        return p, "per day"
    if u in ("1/hour", "1hour"):
        return p * 24, "per hour x 24"
    raise DataError("meter %r: unitOfMeasure %r, expected 1/Day" % (it.get("meterName"), it.get("unitOfMeasure")))


def per_day_storage(it):
    u = str(it.get("unitOfMeasure", "")).replace(" ", "").lower()
    p = num(it, "retailPrice")
    if u in ("1gb/month", "1gb/mo"):
        return p / DAYS_PER_MONTH, "per GB-month / %g days per month (365.25 / 12)" % DAYS_PER_MONTH
    if u in ("1gb/day", "1gb/d"):
        return p, "per GB-day, used as it is"
    raise DataError("meter %r: unitOfMeasure %r, expected 1 GB/Month or 1 GB/Day"
                    % (it.get("meterName"), it.get("unitOfMeasure")))


def build_table(items, region, currency, unit, url, files):
    items = relevant(items, region, currency)
    used, skus = [], {}
    for name, meter, included in SKUS:
        it = pick(items, meter)
        fee, how = per_day_fee(it)
        used.append(it)
        skus[name] = {"fee_per_day": round(fee, 9), "included_gb": included,
                      "fee_source": "%s %s %s per %s (%s, effective %s)" % (
                          meter, it.get("retailPrice"), currency, it.get("unitOfMeasure"), how, day(it))}
    st = pick(items, STORAGE_METER)
    overage, how = per_day_storage(st)
    used.append(st)
    date = max(day(it) for it in used)
    table = {
        "currency": currency.upper(),
        "unit": unit,
        "date": date,
        "source": url,
        "overage_per_gb_day": round(overage, 9),
        "overage_source": "meter %r: %s %s per %s, effective %s; %s = %.9f %s per GB per day. "
                          "Billed per GB above included_gb; this file's unit (%s) applies to both."
                          % (STORAGE_METER, st.get("retailPrice"), currency.upper(), st.get("unitOfMeasure"),
                             day(st), how, overage, currency.upper(), unit),
        "skus": skus,
        "included_source": INCLUDED_SOURCE,
        "retrieved": ("recorded response: %s" % ", ".join(os.path.basename(f) for f in files)) if files
                     else datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "refresh": "data/pricing/refresh-prices.py --region %s --currency %s (data/pricing/README.md)"
                   % (region, currency.upper()),
    }
    return table


def write(table, out):
    text = json.dumps(table, indent=2) + "\n"
    if out == "-":
        sys.stdout.write(text)
        return
    d = os.path.dirname(os.path.abspath(out))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".refresh-prices.", dir=d)
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            fp.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as e:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
        raise FetchError("%s: %s" % (out, e.strerror or e)) from None


def main(argv):
    ap = argparse.ArgumentParser(prog="refresh-prices.py", usage=argparse.SUPPRESS, description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--region", default="australiaeast")
    ap.add_argument("--currency", default="AUD")
    ap.add_argument("--unit", default="GiB", choices=("GiB", "GB"))
    ap.add_argument("--from-file", action="append", default=[], metavar="FILE")
    ap.add_argument("-o", "--output")
    ap.add_argument("--list-meters", action="store_true")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)
    if not a.currency.isalpha() or len(a.currency) != 3:
        ap.error("--currency: expected a three-letter code, got %r" % a.currency)
    if not a.region.replace("-", "").isalnum():
        ap.error("--region: expected an Azure region name such as australiaeast, got %r" % a.region)
    url = query_url(a.region, a.currency.upper())
    try:
        items = pages_from_files(a.from_file) if a.from_file else pages_from_api(url, a.quiet)
        if a.list_meters:
            rows = sorted({(str(it.get("meterName")), str(it.get("unitOfMeasure")), str(it.get("skuName")),
                            str(it.get("retailPrice"))) for it in relevant(items, a.region, a.currency)})
            for r in rows:
                print("\t".join(r))
            return 0
        table = build_table(items, a.region, a.currency, a.unit, url, a.from_file)
        out = a.output or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "acr-%s-%s.json" % (a.currency.lower(), table["date"]))
        write(table, out)
    except DataError as e:
        print("refresh-prices: %s" % e, file=sys.stderr)
        return 1
    except FetchError as e:
        print("refresh-prices: %s" % e, file=sys.stderr)
        return 3
    if not a.quiet and out != "-":
        print("refresh-prices: wrote %s (prices of %s: Basic %s, Standard %s, Premium %s %s per day; "
              "storage %.9f %s per %s per day)" % (
                  out, table["date"], table["skus"]["Basic"]["fee_per_day"], table["skus"]["Standard"]["fee_per_day"],
                  table["skus"]["Premium"]["fee_per_day"], table["currency"], table["overage_per_gb_day"],
                  table["currency"], table["unit"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
