#!/usr/bin/env python3
"""The flood campaign: hostile load against one presenced on loopback while a well-behaved client
keeps working, all at once and bounded in time:

  - CONNECTIONS WebSocket upgrades with one ordinary user's token (from 127.0.0.2-127.0.0.4);
  - BAD bad-token Web API requests (from 127.0.0.5-127.0.0.8, on keep-alive connections);
  - SLOW connections trickling their request headers one line a second (from 127.0.0.9);
  - meanwhile a well-behaved user (from 127.0.0.10) alternates users.setPresence away/auto.

Checks, printed as one JSON object (exit 0 when all hold, 1 otherwise):
  - the well-behaved client's calls all succeed, with p99 latency under --p99-ms (500);
  - the hostile user holds at most max_connections_per_user sockets, the presence service stays
    enabled, every slow-header connection is cut within header_timeout_ms + 2 s;
  - the server's resident memory peak stays under --max-rss-mib (512);
  - after a clean stop, presencectl verify passes and every acknowledged setPresence is in the log.

Usage: scripts/campaigns/flood.py --presenced BUILD/api/presenced --presencectl BUILD/tools/...
         [--connections 10000] [--bad 50000] [--slow 1000] [--p99-ms 500] [--max-rss-mib 512]
Needs RLIMIT_NOFILE above CONNECTIONS + SLOW + 200 (it raises its own soft limit to the hard one).
"""
import argparse
import asyncio
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

ADMIN = "flood-admin-token-" + secrets.token_hex(16)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


async def http(reader, writer, method, path, token, body=b""):
    """One request on a kept-alive connection: (status, body bytes)."""
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    writer.write(head.encode() + body)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    payload = await reader.readexactly(length) if length else b""
    parts = status_line.split()
    return (int(parts[1]) if len(parts) > 1 else 0), payload


async def open_from(source, port):
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def call(port, token, method, args, source="127.0.0.1"):
    reader, writer = await open_from(source, port)
    try:
        status, body = await http(reader, writer, "POST", "/api/" + method, token,
                                  json.dumps(args).encode())
        return status, json.loads(body or b"{}")
    finally:
        writer.close()


def well_behaved(port, token, stop_file):
    """The well-behaved client, in its own process so that the flood's event loop cannot delay
    it: users.setPresence away/auto every 50 ms on one kept-alive connection from 127.0.0.10
    until `stop_file` exists. Prints {"latencies_ms", "acknowledged", "errors"} as JSON."""
    import http.client
    results = {"latencies_ms": [], "acknowledged": [], "errors": []}

    def connect():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                          source_address=("127.0.0.10", 0))
        conn.connect()
        return conn

    conn = connect()
    n = 0
    while not os.path.exists(stop_file):
        presence = "away" if n % 2 == 0 else "auto"
        started = time.monotonic()
        try:
            conn.request("POST", "/api/users.setPresence", json.dumps({"presence": presence}),
                         {"Authorization": "Bearer " + token,
                          "Content-Type": "application/json"})
            response = conn.getresponse()
            answer = json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException, ValueError) as e:
            results["errors"].append(repr(e))
            conn = connect()
            continue
        results["latencies_ms"].append((time.monotonic() - started) * 1000)
        if response.status == 200 and answer.get("ok"):
            results["acknowledged"].append(presence)
        else:
            results["errors"].append(f"{response.status} {answer}")
        n += 1
        time.sleep(0.05)
    print(json.dumps(results))


async def hostile_sockets(port, token, count, results, held):
    sources = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    gate = asyncio.Semaphore(500)

    async def one(i):
        async with gate:
            try:
                reader, writer = await open_from(sources[i % len(sources)], port)
                writer.write((f"GET /rtm HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                              f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              f"Authorization: Bearer {token}\r\n\r\n").encode())
                await writer.drain()
                line = await asyncio.wait_for(reader.readline(), 30)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                results["closed"] = results.get("closed", 0) + 1
                return
            parts = line.split()
            status = parts[1].decode() if len(parts) > 1 else "closed"
            results[status] = results.get(status, 0) + 1
            if status == "101":
                held.append(writer)  # kept open until the end
            else:
                writer.close()

    await asyncio.gather(*(one(i) for i in range(count)))


async def bad_tokens(port, count, results):
    sources = ["127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8"]
    per_connection = 1000
    gate = asyncio.Semaphore(50)

    async def batch(i, n):
        async with gate:
            try:
                reader, writer = await open_from(sources[i % len(sources)], port)
                for _ in range(n):
                    status, _ = await http(reader, writer, "POST", "/api/auth.test",
                                           "xoxp-" + secrets.token_hex(20))
                    results[str(status)] = results.get(str(status), 0) + 1
                writer.close()
            except (OSError, asyncio.IncompleteReadError, ValueError):
                results["broken"] = results.get("broken", 0) + 1

    batches = [per_connection] * (count // per_connection)
    if count % per_connection:
        batches.append(count % per_connection)
    await asyncio.gather(*(batch(i, n) for i, n in enumerate(batches)))


async def slow_headers(port, count, results):
    async def one(i):
        try:
            reader, writer = await open_from("127.0.0.9", port)
        except OSError:
            results["refused"] = results.get("refused", 0) + 1
            return
        started = time.monotonic()
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        line = 0
        while time.monotonic() - started < 60:
            try:
                writer.write(f"X-Slow-{line}: y\r\n".encode())
                await writer.drain()
                data = await asyncio.wait_for(reader.read(1), 1.0)
                if data == b"":
                    break
            except asyncio.TimeoutError:
                line += 1
                continue
            except OSError:
                break
        results["cut_after_s"].append(time.monotonic() - started)
        writer.close()

    await asyncio.gather(*(one(i) for i in range(count)))


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def campaign(args, port, pid):
    status, created = await call(port, ADMIN, "admin.users.create", {"id": "mallory", "name": "m"})
    mallory = created["token"]
    status, created = await call(port, ADMIN, "admin.users.create", {"id": "alice", "name": "a"})
    alice = created["token"]

    stop = asyncio.Event()
    stop_file = os.path.join(args.work, "stop-good-client")
    good_client = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--good-client", str(port), alice, stop_file],
        stdout=subprocess.PIPE, text=True)
    sockets, held = {}, []
    bad = {}
    slow = {"cut_after_s": []}
    rss = {"before": rss_kib(pid), "peak": 0}

    async def sample():
        while not stop.is_set():
            rss["peak"] = max(rss["peak"], rss_kib(pid))
            await asyncio.sleep(0.5)

    await asyncio.sleep(1)  # the good client's baseline before the flood starts
    sampler = asyncio.create_task(sample())
    started = time.monotonic()
    await asyncio.gather(hostile_sockets(port, mallory, args.connections, sockets, held),
                         bad_tokens(port, args.bad, bad), slow_headers(port, args.slow, slow))
    elapsed = time.monotonic() - started
    _, metrics_text = await metrics(port)
    stop.set()
    open(stop_file, "w").close()
    good = json.loads(good_client.communicate(timeout=60)[0])
    await sampler
    for writer in held:
        writer.close()
    return {
        "elapsed_s": round(elapsed, 1),
        "well_behaved": {
            "calls": len(good["latencies_ms"]),
            "errors": good["errors"][:5],
            "error_count": len(good["errors"]),
            "p50_ms": round(percentile(good["latencies_ms"], 50) or 0, 1),
            "p99_ms": round(percentile(good["latencies_ms"], 99) or 0, 1),
            "max_ms": round(max(good["latencies_ms"] or [0]), 1),
        },
        "hostile_upgrades": sockets,
        "bad_token_requests": bad,
        "slow_headers": {
            "connections": len(slow["cut_after_s"]),
            "max_cut_after_s": round(max(slow["cut_after_s"] or [0]), 1),
        },
        "rss_kib": {"before": rss["before"], "peak": rss["peak"]},
        "service_enabled": metric(metrics_text, "presence_service_enabled"),
        "connections_refused": metric(metrics_text, "presence_connections_refused_total"),
        "acknowledged": good["acknowledged"],
    }


async def metrics(port):
    reader, writer = await open_from("127.0.0.11", port)
    try:
        status, body = await http(reader, writer, "GET", "/metrics", ADMIN)
        return status, body.decode()
    finally:
        writer.close()


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--good-client":
        well_behaved(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presenced", required=True)
    parser.add_argument("--presencectl", required=True)
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--bad", type=int, default=50000)
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument("--p99-ms", type=float, default=500)
    parser.add_argument("--max-rss-mib", type=float, default=512)
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="flood-")
    args.work = work
    server = subprocess.Popen(
        [args.presenced, "--data-dir", work + "/data", "--listen", "127.0.0.1:0",
         "--admin-token", ADMIN, "--log-level", "warn"],
        stdout=subprocess.PIPE, stderr=open(work + "/stderr", "w"), text=True)
    try:
        line = server.stdout.readline()
        if not line.startswith("listening on http://"):
            print(json.dumps({"error": "presenced did not start", "line": line}))
            return 2
        port = int(line.rsplit(":", 1)[1])
        result = asyncio.run(campaign(args, port, server.pid))
    finally:
        server.terminate()
        code = server.wait(timeout=60)
    verify = subprocess.run([args.presencectl, "--db", work + "/data", "verify"],
                            capture_output=True, text=True)
    exported = subprocess.run([args.presencectl, "--db", work + "/data", "export"],
                              capture_output=True, text=True).stdout.splitlines()
    logged = [json.loads(l) for l in exported if '"stream":"alice"' in l]
    logged_sets = [e for e in logged if e.get("type") == "presence_set"]
    acknowledged = result.pop("acknowledged")
    checks = {
        "well_behaved_all_ok": result["well_behaved"]["error_count"] == 0,
        "well_behaved_p99": result["well_behaved"]["p99_ms"] < args.p99_ms,
        "hostile_sockets_capped": result["hostile_upgrades"].get("101", 0) <= 10,
        "service_enabled": result["service_enabled"] == 1,
        "slow_headers_cut": result["slow_headers"]["max_cut_after_s"] < 12,
        "rss_bounded": result["rss_kib"]["peak"] < args.max_rss_mib * 1024,
        "clean_stop": code == 0,
        "verify": verify.returncode == 0,
        "acknowledged_logged": len(logged_sets) >= len(acknowledged),
    }
    result["acknowledged_calls"] = len(acknowledged)
    result["logged_presence_set"] = len(logged_sets)
    result["checks"] = checks
    print(json.dumps(result, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
