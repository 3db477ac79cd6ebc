#!/usr/bin/env python3
"""The soak campaign's verdict (scripts/campaigns/soak.sh): reads OUT/load.jsonl (presence-load's
lines, its samples among them) and OUT/metrics.jsonl (the server's counters over time), with the
server census before the load, after the clients left and after passivation; prints one JSON line
per check and a last {"soak":"passed"|"failed",...} line; writes OUT/samples.csv and renders the
RSS curve with gnuplot to --chart. Exit status 0 when every check passed, 1 otherwise."""
import argparse
import json
import os
import subprocess
import sys


def read_jsonl(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    return rows


def slope_per_min(points):
    """Least-squares slope of (t_s, bytes) points, in bytes per minute; None below 3 points."""
    if len(points) < 3:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 60.0


def interpolate(points, t):
    """memtable_bytes at t_s = t, linear between the storage samples around it (clamped)."""
    if t <= points[0]["t_s"]:
        return points[0]["memtable_bytes"]
    for lo, hi in zip(points, points[1:]):
        if lo["t_s"] <= t <= hi["t_s"]:
            f = (t - lo["t_s"]) / max(hi["t_s"] - lo["t_s"], 1e-9)
            return round(lo["memtable_bytes"] + f * (hi["memtable_bytes"] - lo["memtable_bytes"]))
    return points[-1]["memtable_bytes"]


def nearest(samples, t):
    return min(samples, key=lambda s: abs(s["t_s"] - t))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--chart", required=True)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--max-growth-pct", type=float, required=True)
    p.add_argument("--max-slope-kib-min", type=float, required=True)
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--final", required=True)
    p.add_argument("--verify-status", type=int, required=True)
    a = p.parse_args()
    before, after, final = json.loads(a.before), json.loads(a.after), json.loads(a.final)

    lines = read_jsonl(os.path.join(a.out, "load.jsonl"))
    samples = [x for x in lines if x.get("phase") == "sample"]
    summary = next((x for x in reversed(lines) if x.get("bench") == "load" and "rates" in x), None)
    load_errors = [x for x in lines if "error" in x]
    metrics = read_jsonl(os.path.join(a.out, "metrics.jsonl"))
    checks = []

    def check(name, ok, **detail):
        checks.append(ok)
        print(json.dumps({"check": name, "ok": bool(ok), **detail}), flush=True)

    # --- no error ------------------------------------------------------------------------------
    check("load_completed", summary is not None and not load_errors,
          load_error_lines=load_errors[:3])
    if summary is not None:
        check("no_client_error", summary["errors"] == 0 and summary["ratelimited"] == 0,
              errors=summary["errors"], ratelimited=summary["ratelimited"],
              first_error=summary["first_error"])
        rate = summary["rates"][0] if summary["rates"] else {}
        check("all_connected", summary["connections"] == a.connections,
              connections=summary["connections"], asked=a.connections)
        check("traffic_flowed", rate.get("deliveries_per_s", 0) > 0 and rate.get("changes_per_s", 0) > 0,
              changes_per_s=rate.get("changes_per_s"), acked_per_s=rate.get("acked_per_s"),
              changes_skipped=rate.get("changes_skipped"),
              deliveries_per_s=rate.get("deliveries_per_s"), p50_ms=rate.get("p50_ms"),
              p99_ms=rate.get("p99_ms"), p999_ms=rate.get("p999_ms"),
              matched_fraction=rate.get("matched_fraction"))
    if metrics:
        last, first = metrics[-1], metrics[0]
        server_errors = {k: last.get(k, 0) - first.get(k, 0) for k in (
            "http_errors_total", "ws_closed_slow_consumer_total", "ws_closed_dead_peer_total")}
        check("no_server_error", all(v == 0 for v in server_errors.values()), **server_errors,
              http_requests_total=last.get("http_requests_total"),
              broadcast_deliveries_total=last.get("broadcast_deliveries_total"),
              ws_messages_out_total=last.get("ws_messages_out_total"))

    # --- RSS flat ------------------------------------------------------------------------------
    # RocksDB's memtables grow with every event until a flush (bounded by design); with their
    # size sampled (storage.jsonl, presencectl stats), the checks apply to RSS less memtables and
    # raw RSS is reported beside; without it, to raw RSS.
    storage = [x for x in read_jsonl(os.path.join(a.out, "storage.jsonl")) if "memtable_bytes" in x]
    measured = [s for s in samples if s.get("load_phase") in ("measure", "drain")]
    rss = {}
    if measured:
        t0 = measured[0]["t_s"]
        warmup = max(60.0, min(300.0, a.duration / 6))
        covered = len(storage) >= 2 and storage[0]["t_s"] <= t0 + warmup and storage[-1]["t_s"] >= measured[-1]["t_s"] - 2 * (storage[-1]["t_s"] - storage[-2]["t_s"])
        # presenced maps memtable blocks by themselves (a fixed M_MMAP_THRESHOLD), so a flush gives
        # its pages back and RSS follows the memtables' current size: the checked series is RSS
        # less that size. RSS less the high-water mark so far is in the CSV beside it (it was the
        # checked series while glibc kept flushed blocks, and it depends on where in the flush
        # cycle a run starts and ends).
        peak = 0
        for s in samples:
            s["memtable_bytes"] = interpolate(storage, s["t_s"]) if covered else None
            peak = max(peak, s["memtable_bytes"] or 0)
            s["memtable_peak_bytes"] = peak if covered else None
            s["rss_less_memtables"] = None if s["memtable_bytes"] is None else s["server_rss_bytes"] - s["memtable_bytes"]
            s["rss_less_memtable_peak"] = None if not covered else s["server_rss_bytes"] - peak
        warm = nearest(measured, t0 + warmup)
        end = measured[-1]
        key = "rss_less_memtables" if covered else "server_rss_bytes"
        half = [(s["t_s"], s[key]) for s in measured if s["t_s"] >= t0 + a.duration / 2]
        raw_half = [(s["t_s"], s["server_rss_bytes"]) for s in measured if s["t_s"] >= t0 + a.duration / 2]
        slope, raw_slope = slope_per_min(half), slope_per_min(raw_half)
        growth = 100.0 * (end[key] - warm[key]) / warm[key]
        raw_growth = 100.0 * (end["server_rss_bytes"] - warm["server_rss_bytes"]) / warm["server_rss_bytes"]
        rss = {"rss_start_bytes": samples[0]["server_rss_bytes"],
               "rss_load_start_bytes": measured[0]["server_rss_bytes"],
               "rss_after_warmup_bytes": warm["server_rss_bytes"],
               "rss_end_bytes": end["server_rss_bytes"],
               "rss_max_bytes": max(s["server_rss_bytes"] for s in measured),
               "rss_growth_pct": round(raw_growth, 2),
               "rss_slope_second_half_bytes_per_min": None if raw_slope is None else round(raw_slope),
               "memtable_after_warmup_bytes": warm["memtable_bytes"],
               "memtable_end_bytes": end["memtable_bytes"],
               "memtable_peak_bytes": end["memtable_peak_bytes"],
               "warmup_s": warmup, "measured_s": round(end["t_s"] - t0, 1),
               "samples": len(samples), "storage_samples": len(storage), "checked": key}
        check("rss_end_within_growth_bound", abs(growth) <= a.max_growth_pct, series=key,
              growth_pct=round(growth, 2), bound_pct=a.max_growth_pct,
              after_warmup=warm[key], end=end[key], **rss)
        check("rss_slope_second_half", slope is not None and slope <= a.max_slope_kib_min * 1024,
              series=key, slope_bytes_per_min=None if slope is None else round(slope),
              bound_bytes_per_min=a.max_slope_kib_min * 1024, points=len(half))
    else:
        check("rss_sampled", False, samples=len(samples))

    # --- no leaked socket, thread or actor ---------------------------------------------------
    check("ws_connections_zero_after", after.get("ws_connections") == 0,
          ws_connections=after.get("ws_connections"))
    check("sockets_back_to_baseline", after["sockets"] <= before["sockets"],
          before=before["sockets"], after=after["sockets"],
          peak=max((s["server_sockets"] for s in samples), default=None))
    check("other_fds_back_to_baseline", after["other_fds"] <= before["other_fds"],
          before=before["other_fds"], after=after["other_fds"],
          db_files_before=before["db_files"], db_files_after=after["db_files"],
          fds_before=before["fds"], fds_after=after["fds"],
          fds_peak=max((s["server_fds"] for s in samples), default=None))
    check("threads_back_to_baseline", after["threads"] <= before["threads"],
          before=before["threads"], after=after["threads"])
    if before.get("users_resident") is None:
        print(json.dumps({"check": "users_resident_back_to_baseline", "skipped":
                          "this presenced exports no presence_users_resident"}), flush=True)
    else:
        peak = max((m.get("users_resident", 0) for m in metrics), default=None)
        check("users_resident_back_to_baseline",
              final.get("users_resident") is not None and final["users_resident"] <= before["users_resident"],
              before=before["users_resident"], peak=peak, after=final.get("users_resident"))
    if after.get("connections") is not None:
        check("presence_connections_zero_after", after["connections"] == 0,
              connections=after["connections"], seconds=after.get("seconds"))
    # The server's log (level warn): a session that had not finished its engine calls at SIGTERM
    # ("sessions still open"), an engine call that timed out, any error.
    stderr_path = os.path.join(a.out, "presenced.stderr")
    log = open(stderr_path).read().splitlines() if os.path.exists(stderr_path) else []
    bad = [l for l in log if any(w in l for w in (" warning ", " error ", " critical "))]
    check("clean_shutdown", not bad, warnings=len(bad), first=bad[:3])
    check("presencectl_verify", a.verify_status == 0, exit_status=a.verify_status)

    # --- CSV and chart -------------------------------------------------------------------------
    csv = os.path.join(a.out, "samples.csv")
    with open(csv, "w") as f:
        f.write("t_s,t_min,load_phase,rss_mib,fds,sockets,threads,connections_open,sent,acked,"
                "deliveries,errors,memtable_mib,rss_less_memtables_mib,rss_less_memtable_peak_mib\n")
        for s in samples:
            mem = s.get("memtable_bytes")
            f.write("%s,%.3f,%s,%.1f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n" % (
                s["t_s"], s["t_s"] / 60, s.get("load_phase"), s["server_rss_bytes"] / 2**20,
                s["server_fds"], s["server_sockets"], s["server_threads"],
                s.get("connections_open"), s.get("sent"), s.get("acked"), s.get("deliveries"),
                s.get("errors"), "NaN" if mem is None else "%.1f" % (mem / 2**20),
                "NaN" if mem is None else "%.1f" % ((s["server_rss_bytes"] - mem) / 2**20),
                "NaN" if mem is None else "%.1f" % (s["rss_less_memtable_peak"] / 2**20)))
    chart_ok = False
    if samples and summary is not None:
        rate = summary["rates"][0] if summary["rates"] else {}
        title = "presenced RSS: %d WebSocket connections x %d subscriptions, %s changes/s offered, %d min" % (
            summary["connections"], summary["subscriptions"], rate.get("offered_changes_per_s"),
            round(a.duration / 60))
        warm_line = ""
        if measured:
            warm_line = 'set arrow from %f, graph 0 to %f, graph 1 nohead dt 2 lc rgb "gray"\n' % (
                (measured[0]["t_s"] + rss["warmup_s"]) / 60, (measured[0]["t_s"] + rss["warmup_s"]) / 60)
            warm_line += 'set arrow from %f, graph 0 to %f, graph 1 nohead dt 3 lc rgb "gray"\n' % (
                measured[0]["t_s"] / 60, measured[0]["t_s"] / 60)
        script = """set terminal pngcairo size 1000,500 noenhanced
set output "%s"
set datafile separator ","
set title "%s"
set xlabel "minutes since start (dotted: load starts; dashed: end of warm-up)"
set ylabel "server RSS (MiB)"
set y2label "open WebSocket connections"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:%d]
set key right bottom
set grid
%s
plot "%s" using 2:4 every ::1 with lines lw 2 title "RSS (MiB)" axis x1y1, \\
     "%s" using 2:14 every ::1 with lines lw 2 title "RSS less current memtables (checked)" axis x1y1, \\
     "%s" using 2:15 every ::1 with lines dt 3 title "RSS less the memtables' high-water mark" axis x1y1, \\
     "%s" using 2:13 every ::1 with lines title "RocksDB memtables (MiB)" axis x1y1, \\
     "%s" using 2:8 every ::1 with lines dt 2 title "connections open" axis x1y2
""" % (a.chart, title, a.connections * 1.25, warm_line, csv, csv, csv, csv, csv)
        try:
            os.makedirs(os.path.dirname(os.path.abspath(a.chart)), exist_ok=True)
            subprocess.run(["gnuplot"], input=script.encode(), check=True)
            chart_ok = True
        except (OSError, subprocess.CalledProcessError) as e:
            print(json.dumps({"warning": "gnuplot failed: %s" % e}), flush=True)
    ok = all(checks)
    print(json.dumps({"soak": "passed" if ok else "failed", "checks": len(checks),
                      "failed": len(checks) - sum(1 for c in checks if c),
                      "csv": csv, "chart": a.chart if chart_ok else None, **rss}), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
