#!/usr/bin/env python3
"""The retention campaign: a reconnect loop against one presenced on loopback, with a short
retention horizon, sampling the database's size on disk; bounded in time, stops by itself.

  - LOOPS users each open a WebSocket (/rtm, token in the header), read the upgrade answer and
    drop the socket, again and again: every round logs `connected` and `disconnected`;
  - presenced runs with --retention-s HORIZON --retention-interval-s INTERVAL and the per-token
    connect rate limit off (--connect-rate-per-s 0), so the loop writes as fast as it can;
  - every SAMPLE seconds one JSON line: elapsed seconds, the data directory's bytes, the events
    appended so far (/metrics).

At the end (a clean stop, then `presencectl verify`) one summary JSON object; exit 0 when the
size stayed flat (the largest sample of the second half at most 1.5 times the largest of the
first half after the first horizon) and verify passed.

Usage: scripts/campaigns/retention.py --presenced BUILD/api/presenced
         --presencectl BUILD/tools/presencectl/presencectl [--minutes 10] [--horizon-s 60]
         [--interval-s 10] [--loops 8] [--sample-s 30]
"""
import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ADMIN = "retention-admin-token-" + secrets.token_hex(16)


def api(port, token, method, args):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/{method}", data=json.dumps(args).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def metric(port, name):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                     headers={"Authorization": "Bearer " + ADMIN})
    with urllib.request.urlopen(request, timeout=30) as answer:
        for line in answer.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return -1


def directory_bytes(path):
    """(all files, table files, write-ahead log files) in bytes, top level only."""
    total = tables = wal = 0
    for entry in os.scandir(path):
        if entry.is_file(follow_symlinks=False):
            size = entry.stat().st_size
            total += size
            tables += size if entry.name.endswith(".sst") else 0
            wal += size if entry.name.endswith(".log") else 0
    return total, tables, wal


def reconnect_loop(port, token, stop, counts, index):
    upgrade = (f"GET /rtm HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               f"Authorization: Bearer {token}\r\n\r\n").encode()
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(upgrade)
                answer = s.recv(4096)
                # Wait for `hello`: the connect is logged before it is sent.
                if answer.startswith(b"HTTP/1.1 101") and b"hello" not in answer:
                    s.recv(4096)
                counts[index] += 1 if answer.startswith(b"HTTP/1.1 101") else 0
        except OSError:
            time.sleep(0.1)  # the server is going away; the loop ends with `stop`


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--presenced", required=True)
    parser.add_argument("--presencectl", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--horizon-s", type=int, default=60)
    parser.add_argument("--interval-s", type=int, default=10)
    parser.add_argument("--loops", type=int, default=8)
    parser.add_argument("--sample-s", type=float, default=30)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="retention-")
    data = work + "/data"
    server = subprocess.Popen(
        [args.presenced, "--data-dir", data, "--listen", "127.0.0.1:0", "--admin-token", ADMIN,
         "--log-level", "warn", "--retention-s", str(args.horizon_s),
         "--retention-interval-s", str(args.interval_s), "--connect-rate-per-s", "0"],
        stdout=subprocess.PIPE, stderr=open(work + "/stderr", "w"), text=True)
    samples = []
    rounds = [0] * args.loops
    code = None
    try:
        line = server.stdout.readline()
        if not line.startswith("listening on http://"):
            print(json.dumps({"error": "presenced did not start", "line": line}))
            return 2
        port = int(line.rsplit(":", 1)[1])
        tokens = [api(port, ADMIN, "admin.users.create", {"id": f"looper{i}", "name": "Looper"})
                  ["token"] for i in range(args.loops)]
        stop = threading.Event()
        threads = [threading.Thread(target=reconnect_loop, args=(port, t, stop, rounds, i))
                   for i, t in enumerate(tokens)]
        for t in threads:
            t.start()
        started = time.monotonic()
        end = started + args.minutes * 60
        next_sample = started
        while time.monotonic() < end:
            time.sleep(max(0.0, next_sample - time.monotonic()))
            total, tables, wal = directory_bytes(data)
            sample = {"elapsed_s": round(time.monotonic() - started, 1),
                      "db_bytes": total, "sst_bytes": tables, "wal_bytes": wal,
                      "events_appended": metric(port, "presence_events_appended_total"),
                      "reconnects": sum(rounds)}
            samples.append(sample)
            print(json.dumps(sample), flush=True)
            next_sample += args.sample_s
        stop.set()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        code = server.wait(timeout=60)
    verify = subprocess.run([args.presencectl, "--db", data, "verify"], capture_output=True,
                            text=True)
    settled = [s["db_bytes"] for s in samples if s["elapsed_s"] >= args.horizon_s + args.interval_s]
    half = len(settled) // 2
    first, second = settled[:half], settled[half:]
    flat = bool(first) and bool(second) and max(second) <= 1.5 * max(first)
    summary = {"minutes": args.minutes, "horizon_s": args.horizon_s, "loops": args.loops,
               "reconnects": sum(rounds), "samples": len(samples),
               "db_bytes_first_half_max": max(first) if first else None,
               "db_bytes_second_half_max": max(second) if second else None,
               "db_bytes_last": samples[-1]["db_bytes"] if samples else None,
               "clean_stop": code == 0, "verify": verify.returncode == 0, "flat": flat}
    print(json.dumps(summary))
    if verify.returncode != 0:
        print(verify.stdout[-2000:], file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if flat and verify.returncode == 0 and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
