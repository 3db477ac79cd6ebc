#!/usr/bin/env python3
"""Reads presenced's /metrics (Prometheus text) on stdin and prints one JSON line with, for each
histogram named on the command line, its count, mean and the bucket bounds that hold its
p50 / p99 / p999 (upper bounds: "p99_le": 0.005 means 99 % of the observations were <= 5 ms).

  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:$PORT/metrics |
    tools/bench/server_metrics.py presence_broadcast_tick_late_seconds ...
"""
import json
import re
import sys

BUCKET = re.compile(r'^(\w+)_bucket\{le="([^"]+)"\} (\S+)$')
SCALAR = re.compile(r'^(\w+)_(sum|count) (\S+)$')


def read(lines):
    hists = {}
    for line in lines:
        m = BUCKET.match(line)
        if m:
            le = float("inf") if m.group(2) == "+Inf" else float(m.group(2))
            hists.setdefault(m.group(1), {"buckets": []})["buckets"].append((le, float(m.group(3))))
            continue
        m = SCALAR.match(line)
        if m:
            hists.setdefault(m.group(1), {"buckets": []})[m.group(2)] = float(m.group(3))
    return hists


def upper_bound(buckets, count, fraction):
    """The first cumulative bucket bound holding `fraction` of the observations."""
    for le, cumulative in buckets:
        if cumulative >= fraction * count:
            return le if le != float("inf") else "+Inf"
    return None


def main():
    hists = read(sys.stdin)
    out = {"bench": "server_metrics"}
    for name in sys.argv[1:]:
        h = hists.get(name)
        if h is None or not h.get("count"):
            out[name] = {"count": 0}
            continue
        buckets = sorted(h["buckets"])
        count = h["count"]
        out[name] = {"count": int(count), "mean": h.get("sum", 0) / count}
        for label, fraction in (("p50_le", 0.5), ("p99_le", 0.99), ("p999_le", 0.999)):
            out[name][label] = upper_bound(buckets, count, fraction)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
