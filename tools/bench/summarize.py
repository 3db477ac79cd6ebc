#!/usr/bin/env python3
"""Turns a bench.sh results.jsonl into the markdown tables of docs/performance.md.

Usage: tools/bench/summarize.py bench-results/<time>/results.jsonl
Reads only the summary lines (the last line of each program) and the load average printed
before each program, so every figure is shown with the load it was taken under.
"""
import json
import sys


def fmt(value, digits=0):
    if value is None:
        return "—"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    if isinstance(value, (int, float)):
        return f"{value:,.0f}"
    return str(value)


def main(path):
    load = "?"
    machine = None
    rows = []
    with open(path) as lines:
        for line in lines:
            x = json.loads(line)
            if "loadavg_before" in x:
                load = x["loadavg_before"]
            elif "machine" in x and machine is None:
                machine = x["machine"]
            elif x.get("bench") in ("ingest", "replay") and "ratio" in x:
                extra = ""
                if x["bench"] == "replay" and x.get("restart_ready_s") is not None:
                    extra = (f"restart to ready {x['restart_ready_s']:.2f} s "
                             f"({fmt(x.get('restart_users'))} users, "
                             f"{fmt(x.get('restart_online'))} online)")
                rows.append((f"{x['bench']} `{x['durability']}`",
                             f"{fmt(x['users'])} users, {fmt(x['events'])} events",
                             fmt(x.get("engine_events_per_s")), fmt(x.get("raw_events_per_s")),
                             fmt(x.get("ratio"), 2), extra, load))
            elif x.get("bench") == "memory" and "bytes_per_user_actor" in x:
                rows.append(("memory", f"{fmt(x['users'])} resident users",
                             f"{fmt(x['bytes_per_user_actor'])} B/user actor", "", "", "", load))
            elif x.get("bench") == "redis" and "redis_events_per_s" in x:
                rows.append(("redis baseline", f"{fmt(x['users'])} users, {fmt(x['events'])} events",
                             fmt(x.get("ours_events_per_s")), fmt(x["redis_events_per_s"]),
                             fmt(x.get("ratio"), 2),
                             f"deliveries/s ours {fmt(x.get('ours_deliveries_per_s'))} vs Redis "
                             f"{fmt(x.get('redis_deliveries_per_s'))}", load))
            elif x.get("bench") == "load" and x.get("phase") == "rate":
                rows.append((f"load, {fmt(x['offered_changes_per_s'])} changes/s offered",
                             f"{fmt(x['connections'])} connections × {fmt(x['subscriptions'])} subs",
                             f"{fmt(x['deliveries_per_s'])} deliveries/s", "", "",
                             f"sustained {fmt(x['changes_per_s'])} changes/s; p50/p99/p999 "
                             f"{x['p50_ms']}/{x['p99_ms']}/{x['p999_ms']} ms; errors {x['errors']}",
                             load))
            elif x.get("bench") == "load" and "rates" in x:
                rows.append(("load, connections", f"{fmt(x['connections'])} connections",
                             f"{fmt(x.get('server_bytes_per_connection'))} B/idle connection",
                             "", "",
                             f"{fmt(x.get('server_bytes_per_subscribed_connection'))} B/connection "
                             f"with {fmt(x['subscriptions'])} subscriptions; "
                             f"{fmt(x['connects_per_s'])} connects/s; errors {x['errors']}", load))
    if machine:
        print(f"{machine['cpus']} × {machine['model']}, {machine['mem_kb'] // 1024} MiB, "
              f"Linux {machine['kernel']}, commit {machine['commit']}\n")
    print("| bench | size | ours | raw / Redis | ratio | also | load avg before |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
