#!/usr/bin/env bash
# Runs the whole benchmark suite (docs/performance.md) and collects every JSON line in one file:
#   presence-bench ingest (wal, fsync), replay (+ restart), memory, history, redis, then presence-load
#   against a presenced started here on 127.0.0.1 at a sweep of offered rates, and a chart.
#
# Usage: tools/bench.sh [--size full|smoke] [--build DIR] [--out DIR] [--only LIST]
#                       [--connections N] [--subscriptions S] [--rates R1,R2,...]
#   full  (default) finishes in under 10 minutes on 2 cores; smoke in seconds.
#   --only ingest,replay,memory,history,redis,load runs a subset (default: all).
#   --connections/--subscriptions/--rates replace the size's load shape (e.g. a team of 2,000
#   where everyone subscribes to everyone: --connections 2000 --subscriptions 1999).
#   --server-arg ARG (repeatable) passes ARG to presenced, e.g. --server-arg --flush-phases=1;
#   --load-arg ARG (repeatable) to presence-load, e.g. --load-arg --http-connections=16.
# Needs: a built tree (presence-bench, presence-load, presenced in DIR), redis-server, gnuplot
# (optional, for the chart). Every line printed is also in OUT/results.jsonl (default
# BUILD/bench-results/<time>).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
size=full
build="$here/build-bench"
out=""
only="ingest,replay,memory,history,redis,load"
shape_connections=""; shape_subs=""; shape_rates=""
server_args=()
load_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --connections) shape_connections="$2"; shift 2 ;;
    --subscriptions) shape_subs="$2"; shift 2 ;;
    --rates) shape_rates="$(echo "$2" | tr ',' ' ')"; shift 2 ;;
    --server-arg) server_args+=("$2"); shift 2 ;;
    --load-arg) load_args+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
out="${out:-$build/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"

bench="$build/tools/bench/presence-bench"
load="$build/tools/load/presence-load"
presenced="$build/api/presenced"

case "$size" in
  full)
    ingest_users=10000; ingest_events=1000000; fsync_events=1000000
    replay_users=10000; replay_events=2000000; restart_users=1000000; online=10000
    memory_users=1000000; redis_events=1000000; history_events=100000
    load_connections=19000; load_subs=50; load_rates="1000 2000 5000 10000 20000"; load_duration=10 ;;
  smoke)
    ingest_users=100; ingest_events=5000; fsync_events=5000
    replay_users=100; replay_events=5000; restart_users=2000; online=100
    memory_users=2000; redis_events=5000; history_events=3000
    load_connections=50; load_subs=5; load_rates="100 200"; load_duration=1 ;;
  *) echo "bench.sh: --size full|smoke" >&2; exit 2 ;;
esac
load_connections="${shape_connections:-$load_connections}"
load_subs="${shape_subs:-$load_subs}"
load_rates="${shape_rates:-$load_rates}"

# Every figure comes with the machine and the load it was taken under.
machine() {
  printf '{"machine":{"cpus":%s,"model":"%s","mem_kb":%s,"kernel":"%s","loadavg":"%s","commit":"%s"}}\n' \
    "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
    "$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\).*/\1/p' /proc/meminfo)" "$(uname -r)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}

run() {  # run CMD... : prints and records its lines, with the load average before it
  printf '{"loadavg_before":"%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results"
  if ! "$@" | tee -a "$results"; then
    printf '{"failed":"%s"}\n' "$*" | tee -a "$results"
  fi
}

want() { [[ ",$only," == *",$1,"* ]]; }

machine | tee -a "$results"
if want ingest; then
  run "$bench" ingest --users "$ingest_users" --events "$ingest_events" --durability wal
  run "$bench" ingest --users "$ingest_users" --events "$fsync_events" --durability fsync
fi
if want replay; then
  run "$bench" replay --users "$replay_users" --events "$replay_events" \
    --restart-users "$restart_users" --online "$online"
fi
want memory && run "$bench" memory --users "$memory_users"
want history && run "$bench" history --events "$history_events" --queries 200
want redis && run "$bench" redis --users "$ingest_users" --events "$redis_events"
if ! want load; then
  machine | tee -a "$results"
  exit 0
fi

# presenced on a free loopback port, unlimited connections, no per-token rate limit, on a database
# whose users and tokens were written beforehand (presence-bench users): creating thousands of
# users one admin call at a time is not what this measures.
data="$(mktemp -d "${TMPDIR:-/tmp}/presence-bench-server-XXXXXX")"
token="bench-admin-token-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
run "$bench" users --users "$load_connections" --db "$data/db" --tokens-file "$data/tokens"
fifo="$data/stdout"
mkfifo "$fifo"
"$presenced" --data-dir "$data/db" --listen 127.0.0.1:0 --admin-token "$token" \
  --connection-limit 0 --rate-limit-per-s 0 --max-subscription 100000 --log-level warn \
  ${server_args[@]+"${server_args[@]}"} >"$fifo" 2>"$data/stderr" &
server_pid=$!
cleanup() {
  # SIGTERM, then SIGKILL if it has not exited within 15 s (a stop must never hang the suite).
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 150); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    echo '{"warning":"presenced did not exit within 15 s of SIGTERM; killed"}' | tee -a "$results"
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
port=""
exec 3<"$fifo"
if read -r -t 60 line <&3; then
  port="${line##*:}"
fi
if [ -z "$port" ]; then
  echo "bench.sh: presenced did not start; its stderr:" >&2
  cat "$data/stderr" >&2
  exit 1
fi
# One run on the fresh server: connect every user (server RSS idle), subscribe each to S users
# (RSS subscribed), then each offered rate in turn on the same connections.
rates_csv="$(echo $load_rates | tr ' ' ',')"
run "$load" --port "$port" --admin-token "$token" --server-pid "$server_pid" \
  --connections "$load_connections" --subscriptions "$load_subs" --rate "$rates_csv" \
  --duration "$load_duration" --tokens-file "$data/tokens" --timeout 400 \
  ${load_args[@]+"${load_args[@]}"}
# The server's own view of the run (since its start): where a delivery's time went between the
# request and the frame — the HTTP request in the server, the journal's commit, how late the
# broadcasters' flush ticks ran and how long their flushes took.
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" >"$out/metrics.txt" || true
python3 "$here/tools/bench/server_metrics.py" presence_http_request_seconds \
  presence_journal_commit_seconds \
  presence_broadcast_tick_late_seconds presence_broadcast_flush_seconds <"$out/metrics.txt" |
  tee -a "$results"
machine | tee -a "$results"

# The chart: delivered updates/s and p99 latency against the offered change rate.
if command -v gnuplot >/dev/null 2>&1; then
  grep '"phase":"rate"' "$results" | python3 -c '
import json, sys
for line in sys.stdin:
    x = json.loads(line)
    print(x["offered_changes_per_s"], x["deliveries_per_s"], x["p99_ms"])
' >"$out/load.dat"
  gnuplot <<GNUPLOT
set terminal pngcairo size 900,500 noenhanced
set output "$out/load.png"
set title "presence-load: $load_connections connections x $load_subs subscriptions (2 cores, loopback)"
set xlabel "offered presence changes/s"
set ylabel "delivered presence updates/s"
set y2label "p99 delivery latency (ms)"
set y2tics
set ytics nomirror
set key left top
set grid
plot "$out/load.dat" using 1:2 with linespoints title "delivered updates/s" axis x1y1, \
     "$out/load.dat" using 1:3 with linespoints title "p99 latency (ms)" axis x1y2
GNUPLOT
  echo "{\"chart\":\"$out/load.png\"}" | tee -a "$results"
fi
