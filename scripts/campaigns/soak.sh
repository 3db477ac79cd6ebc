#!/usr/bin/env bash
# The soak campaign: C WebSocket connections with steady presence traffic for a long time against
# one presenced, then checks that nothing grew or leaked:
#   - no error (presence-load's errors, the server's http_errors_total and ws_closed_* counters);
#   - RSS flat: RSS at the end of the load within --max-growth-pct of RSS after warm-up, and the
#     least-squares slope of RSS over the second half of the load below --max-slope-kib-min;
#   - after every client disconnected: presence_ws_connections is 0, the server's sockets, threads
#     and descriptors other than its database files are back to their count before the load;
#   - resident user actors (presence_users_resident, when the server exports it) fall back to
#     their count before the load once passivate_after has passed (no leaked actor);
#   - presencectl verify passes on the data directory.
# Builds what it needs in Release into its own directory, starts presenced on 127.0.0.1:0 with a
# temporary data dir, runs presence-load with one sample line every --sample-every seconds, and
# writes OUT/samples.jsonl, OUT/samples.csv, OUT/metrics.jsonl, OUT/results.jsonl and the RSS chart.
#
# Usage: scripts/campaigns/soak.sh [--connections 10000] [--duration 1800] [--rate 300]
#          [--subscriptions 50] [--sample-every 10] [--storage-every 120] [--settle-after 60]
#          [--passivate-after 30] [--build DIR]
#          [--no-build] [--out DIR] [--chart FILE] [--max-growth-pct 10] [--max-slope-kib-min 1024]
#   defaults: 10,000 connections, 30 minutes, 300 changes/s, 50 subscriptions each; build
#   build-soak (--no-build: use the binaries already there); out BUILD/soak-results/<time>;
#   chart docs/soak-rss.png. Exit 0 when every check passed, 1 when one failed, 2 on a usage or
#   setup error.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
connections=10000 duration=1800 rate=300 subscriptions=50 sample_every=10 passivate_after=30
storage_every=120 settle_after=60
build="$root/build-soak" out="" chart="$root/docs/soak-rss.png" max_growth_pct=10
max_slope_kib_min=1024 no_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --subscriptions) subscriptions="$2"; shift 2 ;;
    --sample-every) sample_every="$2"; shift 2 ;;
    --storage-every) storage_every="$2"; shift 2 ;;
    --settle-after) settle_after="$2"; shift 2 ;;
    --passivate-after) passivate_after="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --no-build) no_build=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --chart) chart="$2"; shift 2 ;;
    --max-growth-pct) max_growth_pct="$2"; shift 2 ;;
    --max-slope-kib-min) max_slope_kib_min="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
out="${out:-$build/soak-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"
say() { echo "$1" | tee -a "$results"; }

# --- build (Release, its own directory; a no-op when up to date) ------------------------------
bash "$root/scripts/install-deps.sh"
if [ "$no_build" = 0 ]; then
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
  export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j 2 --target presenced presence-load presence-bench presencectl >/dev/null
fi
presenced="$build/api/presenced" load="$build/tools/load/presence-load"
bench="$build/tools/bench/presence-bench" ctl="$build/tools/presencectl/presencectl"

say "$(printf '{"soak":"start","connections":%s,"duration_s":%s,"rate":%s,"subscriptions":%s,"sample_every_s":%s,"passivate_after_s":%s,"commit":"%s","cpus":%s,"loadavg":"%s","started":"%s"}' \
  "$connections" "$duration" "$rate" "$subscriptions" "$sample_every" "$passivate_after" \
  "$(git -C "$root" rev-parse --short HEAD)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$(date -u +%FT%TZ)")"

# --- presenced on a free loopback port, users and tokens written beforehand -------------------
data="$(mktemp -d "${TMPDIR:-/tmp}/presence-soak-XXXXXX")"
token="soak-admin-token-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
"$bench" users --users "$connections" --db "$data/db" --tokens-file "$data/tokens" | tee -a "$results"
mkfifo "$data/stdout"
"$presenced" --data-dir "$data/db" --listen 127.0.0.1:0 --admin-token "$token" \
  --connection-limit 0 --rate-limit-per-s 0 --max-subscription 100000 --log-level warn \
  --passivate-after-s "$passivate_after" >"$data/stdout" 2>"$out/presenced.stderr" &
server_pid=$!
scraper_pid="" storage_pid=""
stop_server() {  # SIGTERM, then SIGKILL after 15 s: a stop never hangs the campaign
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$server_pid" 2>/dev/null; then
    say '{"warning":"presenced did not exit within 15 s of SIGTERM; killed"}'
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
}
cleanup() {
  [ -n "$scraper_pid" ] && kill "$scraper_pid" 2>/dev/null || true
  [ -n "$storage_pid" ] && kill "$storage_pid" 2>/dev/null || true
  stop_server
  rm -rf "$data"
}
trap cleanup EXIT
exec 3<"$data/stdout"
line=""
read -r -t 60 line <&3 || true
port="${line##*:}"
if [ -z "$port" ]; then
  echo "soak.sh: presenced did not start; its stderr:" >&2
  cat "$out/presenced.stderr" >&2
  exit 2
fi

# --- probes ---------------------------------------------------------------------------------
metric() {  # metric NAME: the value of presence_NAME in /metrics, or "null" when absent
  curl -sf -m 10 -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" |
    awk -v name="presence_$1" '$1 == name { print $2; found = 1 } END { if (!found) print "null" }'
}
census() {  # the server's descriptors (all, sockets, database files, the rest), threads, RSS
  local fds
  fds="$(python3 - "$server_pid" "$data/db/" <<'PY'
import os, sys
pid, db = sys.argv[1], sys.argv[2]
fds = sockets = files = 0
for fd in os.listdir("/proc/%s/fd" % pid):
    try:
        target = os.readlink("/proc/%s/fd/%s" % (pid, fd))
    except OSError:
        continue
    fds += 1
    sockets += target.startswith("socket:")
    files += target.startswith(db)
status = dict(l.split(":", 1) for l in open("/proc/%s/status" % pid) if ":" in l)
print('"fds":%d,"sockets":%d,"db_files":%d,"other_fds":%d,"threads":%d,"rss_bytes":%d' % (
    fds, sockets, files, fds - sockets - files, int(status["Threads"]),
    int(status["VmRSS"].split()[0]) * 1024))
PY
)"
  printf '{%s,"ws_connections":%s,"connections":%s,"users_resident":%s}' "$fds" \
    "$(metric ws_connections)" "$(metric connections)" "$(metric users_resident)"
}
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# A warm-up round first (2 connections, 1 s): the server starts some threads on first use (the
# sessions' offload pool), and the baseline is the state of a server that has served once.
"$load" --port "$port" --admin-token "$token" --server-pid "$server_pid" --connections 2 \
  --subscriptions 1 --rate 2 --duration 1 --settle 0.5 --tokens-file "$data/tokens" --timeout 60 |
  tail -1 >"$out/warmup.jsonl"
deadline=$((SECONDS + 30))
until [ "$(metric ws_connections)" = 0 ] || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
before="$(census)"
say "{\"soak\":\"before\",\"server\":$before}"

# The server's own counters every sample period, beside presence-load's samples.
(
  start=$(date +%s.%N)
  while kill -0 "$server_pid" 2>/dev/null; do
    body="$(curl -sf -m 10 -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" || true)"
    printf '%s\n' "$body" | START="$start" python3 -c '
import json, os, sys, time
values = {}
for line in sys.stdin:
    parts = line.split()
    if len(parts) == 2 and parts[0].startswith("presence_"):
        values[parts[0][len("presence_"):]] = float(parts[1])
print(json.dumps({"t_s": round(time.time() - float(os.environ["START"]), 3), **values}), flush=True)
'
    sleep "$sample_every"
  done
) >"$out/metrics.jsonl" 2>/dev/null &
scraper_pid=$!
# RocksDB's memtables grow with every event until a flush: bounded (64 MiB per large family), but
# a steady rise within a 30-minute run. presencectl stats (a secondary instance: the same WAL
# replayed with the same options) reports their size, so the RSS check can set it apart.
(
  start=$(date +%s.%N)
  while kill -0 "$server_pid" 2>/dev/null; do
    t=$(python3 -c 'import sys,time; print(round(time.time() - float(sys.argv[1]), 3))' "$start")
    "$ctl" --db "$data/db" stats --json 2>/dev/null |
      T="$t" python3 -c 'import json,os,sys; x=json.load(sys.stdin); x["t_s"]=float(os.environ["T"]); x.pop("by_type",None); print(json.dumps(x), flush=True)' || true
    sleep "$storage_every"
  done
) >"$out/storage.jsonl" 2>/dev/null &
storage_pid=$!

# --- the load -------------------------------------------------------------------------------
"$load" --port "$port" --admin-token "$token" --server-pid "$server_pid" \
  --connections "$connections" --subscriptions "$subscriptions" --rate "$rate" \
  --duration "$duration" --tokens-file "$data/tokens" --sample-every "$sample_every" \
  --tickle --connect-concurrency 256 --timeout "$((duration + 900))" >"$out/load.jsonl" || true
grep -v '"phase":"sample"' "$out/load.jsonl" | grep -v '"phase":"measure"' | tee -a "$results"
grep '"phase":"sample"' "$out/load.jsonl" >"$out/samples.jsonl" || true

# --- after: every client gone; wait (with a deadline) for the server to notice ---------------
# Sockets close at once; each session then unsubscribes and logs its disconnect through the
# engine (presence_connections falls to 0), which takes seconds for 10,000 under load. Stopping
# the server before that would cut those calls short (see the clean_shutdown check).
base_sockets="$(field "$before" sockets)" base_other="$(field "$before" other_fds)"
settle_start=$SECONDS deadline=$((SECONDS + 120))
while :; do
  after="$(census)"
  if [ "$(field "$after" ws_connections)" = 0 ] && [ "$(field "$after" connections)" = 0 ] \
     && [ "$(field "$after" sockets)" -le "$base_sockets" ] \
     && [ "$(field "$after" other_fds)" -le "$base_other" ] || [ $SECONDS -ge $deadline ]; then
    break
  fi
  sleep 1
done
say "{\"soak\":\"after_disconnect\",\"seconds\":$((SECONDS - settle_start)),\"server\":$after}"
# Passivation: idle user actors stop after passivate_after; poll until they are back to the
# count before the load, for at most three periods and a minute.
resident_after="null"
if [ "$(field "$before" users_resident)" != None ]; then
  deadline=$((SECONDS + 3 * passivate_after + 60))
  while :; do
    resident_after="$(metric users_resident)"
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' \
      "$resident_after" "$(field "$before" users_resident)" && break
    [ $SECONDS -ge $deadline ] && break
    sleep 2
  done
fi
# presence_connections reaches 0 before every session has finished: their unsubscribes queue on
# the two offload threads. No metric shows that queue, so give it --settle-after seconds from the
# clients' departure (60 s was enough for 10,000 on the loaded machine; 5-7 s was not).
remaining=$((settle_after - (SECONDS - settle_start)))
[ "$remaining" -gt 0 ] && sleep "$remaining"
kill "$scraper_pid" "$storage_pid" 2>/dev/null || true
wait "$scraper_pid" "$storage_pid" 2>/dev/null || true
scraper_pid="" storage_pid=""
final="$(census)"
say "{\"soak\":\"after_passivation\",\"server\":$final,\"users_resident\":$resident_after}"
stop_server
verify_status=0
"$ctl" --db "$data/db" verify >"$out/verify.txt" 2>&1 || verify_status=$?
say "$(printf '{"soak":"verify","exit_status":%s,"last_line":%s}' "$verify_status" \
  "$(tail -1 "$out/verify.txt" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')")"

# --- the checks, the CSV and the chart --------------------------------------------------------
python3 "$root/scripts/campaigns/soak_report.py" --out "$out" --chart "$chart" \
  --duration "$duration" --connections "$connections" --max-growth-pct "$max_growth_pct" \
  --max-slope-kib-min "$max_slope_kib_min" --before "$before" --after "$after" \
  --final "$final" --verify-status "$verify_status" | tee -a "$results"
