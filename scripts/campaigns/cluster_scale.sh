#!/usr/bin/env bash
# Cluster scale campaign (docs/performance.md, Cluster): etcd and N presenced nodes on 127.0.0.1
# (N = 1: one presenced, no etcd), then several presence-load processes sharing one population of
# users, each connection subscribed to S users of every node, R users.setPresence calls/s in
# total. Prints per node RSS, fds and CPU, and a summary line: deliveries/s, latency, RSS per
# connection per node, cross-node messages and CPU per delivered update. Stops everything it
# started on exit; stops early when the machine has less than --min-free-gib available.
#
#   scripts/campaigns/cluster_scale.sh [--build DIR] [--nodes N] [--connections C]
#     [--subscriptions S] [--rate R] [--duration SECONDS] [--load-procs P] [--partitions P]
#     [--lease-ttl SECONDS] [--min-free-gib G] [--keep DIR] [--server-arg ARG]…
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build"
nodes=6
connections=3000
subscriptions=50
rate=1000
duration=30
load_procs=0
partitions=64
lease_ttl=30
min_free_gib=3
keep=""
server_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --subscriptions) subscriptions=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --load-procs) load_procs=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --lease-ttl) lease_ttl=$2; shift 2 ;;
    --min-free-gib) min_free_gib=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --server-arg) server_args+=("$2"); shift 2 ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
  esac
done
presenced="$build/api/presenced"
[ -f "$presenced" ] || presenced="$build/api/presenced/presenced"
load="$build/tools/load/presence-load"
for binary in "$presenced" "$load"; do
  [ -f "$binary" ] && [ -x "$binary" ] || { echo "cluster_scale.sh: no $binary (build it first)" >&2; exit 2; }
done
# One load process holds at most ~16,000 sockets (RLIMIT_NOFILE is 20,000 here).
[ "$load_procs" -gt 0 ] || load_procs=$(( (connections + 15999) / 16000 ))

work=$(mktemp -d "${TMPDIR:-/tmp}/cluster-scale-XXXXXX")
token="scale-admin-$(od -An -N16 -tx8 /dev/urandom | tr -d " \n")"
etcd_pids=()
node_pids=()
node_ports=()
load_pids=()

# SIGTERM to a group of processes, then SIGKILL to those still running 30 s later (reported).
stop_group() {
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "cluster_scale.sh: pid $pid still running 30 s after SIGTERM: killed" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    local code=0
    wait "$pid" 2>/dev/null || code=$?
    # 127: already reaped (the load processes are waited for when they finish); 143: etcd ends
    # by re-raising SIGTERM.
    [ "$code" -eq 0 ] || [ "$code" -eq 127 ] || [ "$code" -eq 143 ] ||
      echo "cluster_scale.sh: pid $pid exited with status $code" >&2
  done
}

cleanup() {
  local status=$?
  # The load first, then the nodes (while etcd still answers them), etcd last.
  stop_group "${load_pids[@]+"${load_pids[@]}"}"
  stop_group "${node_pids[@]+"${node_pids[@]}"}"
  stop_group "${etcd_pids[@]+"${etcd_pids[@]}"}"
  if [ -n "$keep" ]; then
    mkdir -p "$keep" && cp "$work"/*.out "$work"/*.err "$work"/*.jsonl "$keep"/ 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
available_gib() { awk '/MemAvailable/ { printf "%d", $2 / 1048576 }' /proc/meminfo; }
guard_memory() {
  if [ "$(available_gib)" -lt "$min_free_gib" ]; then
    say "cluster_scale.sh: less than $min_free_gib GiB available ($(free -g | awk '/Mem/ {print $7}') GiB): stopping"
    exit 3
  fi
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_bytes() { awk '/VmRSS/ { print $2 * 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
metric() { # metric PORT NAME: the value of NAME on the node's /metrics (0 when absent)
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$1/metrics" |
    awk -v name="presence_$2" '$1 == name { v = $2 } END { print v + 0 }'
}

# A JSON object of every node's figures now: rss, fds, cpu ticks, cluster counters.
snapshot() {
  local out="[" sep=""
  for i in "${!node_pids[@]}"; do
    local pid=${node_pids[i]} port=${node_ports[i]}
    out+="$sep{\"node\":\"n$((i + 1))\",\"rss\":$(rss_bytes "$pid"),\"fds\":$(fd_count "$pid"),"
    out+="\"cpu_ticks\":$(cpu_ticks "$pid"),\"requests_sent\":$(metric "$port" cluster_requests_sent_total),"
    out+="\"relays_sent\":$(metric "$port" cluster_relays_sent_total),"
    out+="\"relays_received\":$(metric "$port" cluster_relays_received_total)}"
    sep=","
  done
  local load_ticks=0
  for pid in "${load_pids[@]+"${load_pids[@]}"}"; do load_ticks=$((load_ticks + $(cpu_ticks "$pid"))); done
  echo "{\"t\":$(date +%s.%N),\"available_gib\":$(available_gib),\"load_cpu_ticks\":$load_ticks,\"nodes\":$out]}"
}

# --- etcd and the nodes ----------------------------------------------------------------------
cluster_args=()
if [ "$nodes" -gt 1 ]; then
  client=$(free_port); peer=$(free_port)
  etcd --name scale --data-dir "$work/etcd" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "scale=http://127.0.0.1:$peer" --logger zap --log-outputs stderr \
    --log-level error >"$work/etcd.out" 2>"$work/etcd.err" &
  etcd_pids+=($!)
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$client/health" >/dev/null && break
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$client/health" >/dev/null || { say "etcd did not start"; cat "$work/etcd.err" >&2; exit 1; }
  ids=$(seq -s, -f 'n%g' 1 "$nodes")
  cluster_args=(--cluster-etcd "http://127.0.0.1:$client" --cluster-nodes "$ids"
                --partitions "$partitions" --cluster-lease-ttl "$lease_ttl")
fi
for i in $(seq 1 "$nodes"); do
  node_args=()
  [ "$nodes" -gt 1 ] && node_args=("${cluster_args[@]}" --node-id "n$i")
  "$presenced" --data-dir "$work/n$i" --listen 127.0.0.1:0 --admin-token "$token" \
    --connection-limit 0 --rate-limit-per-s 0 --max-connections-per-address 0 \
    --connect-rate-per-s 0 --max-subscription 100000 --max-blocking-queue 1000000 --log-level warn \
    ${node_args[@]+"${node_args[@]}"} ${server_args[@]+"${server_args[@]}"} \
    >"$work/n$i.out" 2>"$work/n$i.err" &
  node_pids+=($!)
done
for i in $(seq 1 "$nodes"); do
  port=""
  for _ in $(seq 300); do
    port=$(sed -n 's/^listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$work/n$i.out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { say "n$i did not start:"; cat "$work/n$i.err" >&2; exit 1; }
  node_ports+=("$port")
done
for i in "${!node_ports[@]}"; do
  for _ in $(seq 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${node_ports[i]}/readyz")" = 200 ] && break
    sleep 0.1
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${node_ports[i]}/readyz")" = 200 ] ||
    { say "n$((i + 1)) not ready:"; tail -20 "$work/n$((i + 1)).err" >&2; exit 1; }
done
node_list=$(printf '127.0.0.1:%s,' "${node_ports[@]}"); node_list=${node_list%,}
say "nodes ready: $node_list (pids ${node_pids[*]})"

# --- the load processes ----------------------------------------------------------------------
mkdir -p "$work/barrier"
per_proc=$(( connections / load_procs ))
first=0
for p in $(seq 1 "$load_procs"); do
  count=$per_proc
  [ "$p" -eq "$load_procs" ] && count=$(( connections - first ))
  "$load" --nodes "$node_list" --admin-token "$token" --prefix u --first-user "$first" \
    --connections "$count" --subscriptions "$subscriptions" --rtm-connect --tickle \
    --rate "$(python3 -c "print($rate / $load_procs)")" --duration "$duration" --settle 3 \
    --subscribe-timeout 1200 \
    --sources 32 --http-connections 4 --connect-concurrency 64 --timeout 1800 \
    --barrier-dir "$work/barrier" >"$work/load$p.jsonl" 2>"$work/load$p.err" &
  load_pids+=($!)
  first=$(( first + count ))
done

# Waits until every load process printed barrier NAME (or one of them ended: an error).
await_barrier() {
  local name=$1 waiting
  while :; do
    guard_memory
    waiting=0
    for p in $(seq 1 "$load_procs"); do
      if ! grep -qs "\"name\":\"$name\"" "$work/load$p.jsonl"; then
        kill -0 "${load_pids[p - 1]}" 2>/dev/null || { say "load $p ended early:"; tail -5 "$work/load$p.jsonl" >&2; exit 1; }
        waiting=1
      fi
    done
    [ "$waiting" -eq 0 ] && return
    sleep 0.5
  done
}

start_s=$(date +%s)
await_barrier connect
say "users created ($(( $(date +%s) - start_s )) s)"
before=$(snapshot)
echo "$before" >"$work/snapshots.jsonl"
touch "$work/barrier/connect"
await_barrier measure
say "connected and subscribed ($(( $(date +%s) - start_s )) s)"
subscribed=$(snapshot)
echo "$subscribed" >>"$work/snapshots.jsonl"
touch "$work/barrier/measure"
sleep "$duration"
after=$(snapshot)
echo "$after" >>"$work/snapshots.jsonl"
for pid in "${load_pids[@]}"; do
  while kill -0 "$pid" 2>/dev/null; do guard_memory; sleep 0.5; done
  wait "$pid" || true
done

# --- the summary -----------------------------------------------------------------------------
python3 - "$work" "$load_procs" "$connections" "$subscriptions" "$rate" "$duration" "$nodes" \
  "$before" "$subscribed" "$after" <<'EOF'
import json, os, sys
work, procs, connections, subscriptions, rate, duration, nodes = sys.argv[1:8]
before, subscribed, after = (json.loads(a) for a in sys.argv[8:11])
procs, connections, nodes = int(procs), int(connections), int(nodes)
tick = os.sysconf("SC_CLK_TCK")
summaries = []
for p in range(1, procs + 1):
    lines = [json.loads(l) for l in open(f"{work}/load{p}.jsonl") if l.startswith("{")]
    summary = [l for l in lines if "rates" in l]
    if not summary:
        print(json.dumps({"error": f"load {p} printed no summary", "last": lines[-3:]}))
        sys.exit(1)
    summaries.append(summary[-1])
rates = [s["rates"][0] for s in summaries if s["rates"]]
window = after["t"] - subscribed["t"]
deliveries_per_s = sum(r["deliveries_per_s"] for r in rates)
# Node CPU and counters over the script's window (the load processes measure the same seconds,
# give or take their 100 ms barrier poll), per delivery at the processes' summed rate.
delivered = deliveries_per_s * window
for n, (b, s, a) in enumerate(zip(before["nodes"], subscribed["nodes"], after["nodes"])):
    held = len(range(n, connections, nodes))
    print(json.dumps({"node": a["node"], "connections": held, "fds": s["fds"],
                      "rss_before": b["rss"], "rss_subscribed": s["rss"],
                      "bytes_per_connection": round((s["rss"] - b["rss"]) / max(held, 1)),
                      "cpu_s": round((a["cpu_ticks"] - s["cpu_ticks"]) / tick, 2),
                      "requests_sent": a["requests_sent"] - s["requests_sent"],
                      "relays_sent": a["relays_sent"] - s["relays_sent"],
                      "relays_received": a["relays_received"] - s["relays_received"]}))
node_cpu = sum(a["cpu_ticks"] - s["cpu_ticks"] for s, a in zip(subscribed["nodes"], after["nodes"])) / tick
requests = sum(a["requests_sent"] - s["requests_sent"] for s, a in zip(subscribed["nodes"], after["nodes"]))
relays = sum(a["relays_sent"] - s["relays_sent"] for s, a in zip(subscribed["nodes"], after["nodes"]))
per_conn = [(s["rss"] - b["rss"]) / max(len(range(n, connections, nodes)), 1)
            for n, (b, s) in enumerate(zip(before["nodes"], subscribed["nodes"]))]
print(json.dumps({
    "nodes": nodes, "load_processes": procs,
    "connections": sum(s["connections"] for s in summaries), "asked": connections,
    "subscriptions": int(subscriptions), "offered_changes_per_s": float(rate),
    "changes_per_s": sum(r["changes_per_s"] for r in rates),
    "deliveries_per_s": deliveries_per_s,
    # Of those, the deliveries showing the change last sent for their user (the rest: initial
    # presences still arriving, or older states).
    "matched_deliveries_per_s": round(sum(r["deliveries_per_s"] * r["matched_fraction"] for r in rates)),
    "p50_ms": sorted(r["p50_ms"] for r in rates)[len(rates) // 2],
    "p99_ms_max": max(r["p99_ms"] for r in rates), "p999_ms_max": max(r["p999_ms"] for r in rates),
    "client_loop_lag_p99_ms_max": max(r["client_loop_lag_p99_ms"] for r in rates),
    "connects_per_s": sum(s["connects_per_s"] for s in summaries),
    "bytes_per_connection_per_node": [round(x) for x in per_conn],
    "window_s": round(window, 2), "node_cpu_s": round(node_cpu, 2),
    "load_cpu_s": round((after["load_cpu_ticks"] - subscribed["load_cpu_ticks"]) / tick, 2),
    "node_cpu_us_per_delivery": round(1e6 * node_cpu / delivered, 3) if delivered else None,
    "cross_node_requests": requests, "cross_node_relays": relays,
    "cross_node_messages_per_delivery": round((requests + relays) / delivered, 4) if delivered else None,
    "errors": sum(s["errors"] for s in summaries),
    "first_errors": [s["first_error"] for s in summaries if s["first_error"]][:3],
    "available_gib_min": min(before["available_gib"], subscribed["available_gib"], after["available_gib"]),
}))
EOF
