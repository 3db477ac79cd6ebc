#!/usr/bin/env bash
# The full crash campaign: kill -9 presenced at least 50 times under load with durability=wal,
# then 50 times with durability=fsync while dropping every byte that was not fsynced (an emulated
# power loss), and check after each restart that nothing acknowledged was lost. With CLUSTER=N
# instead: etcd and N nodes, KILLS kill -9s of random nodes (the workspace owner included) every
# 10-20 s, and the checks at the end.
#
#   bash scripts/campaigns/crash.sh [BUILD_DIR] [-- extra crash_campaign flags]
#   CLUSTER=3 KILLS=20 bash scripts/campaigns/crash.sh      # ≈ 7 minutes
#
# BUILD_DIR defaults to ./build (built here when crash_campaign is missing). Environment:
# KILLS (default 50), SEED (default: the date), CLIENTS (default 6), CLUSTER (default: none, one
# presenced). Each mode's JSON lines go to BUILD_DIR/campaigns/crash-MODE.jsonl; the summary
# lines are printed. Exit 0 only when every mode passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-"$root/build"}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
if [ ! -x "$build/tests/campaigns/crash/crash_campaign" ]; then
  BUILD_DIR="$build" bash "$root/scripts/build.sh" -DPRESENCE_BUILD_TESTS=ON
fi
kills=${KILLS:-50}
seed=${SEED:-$(date +%Y%m%d)}
clients=${CLIENTS:-6}
out="$build/campaigns"
mkdir -p "$out"
status=0
modes="wal fsync"
[ -n "${CLUSTER:-}" ] && modes=cluster
for mode in $modes; do
  echo "crash campaign: $kills kills, mode=$mode, seed=$seed, $clients clients -> $out/crash-$mode.jsonl" >&2
  if [ "$mode" = cluster ]; then
    flags=(--cluster "$CLUSTER" --min-run-ms 10000 --max-run-ms 20000)
  else
    flags=(--durability "$mode")
  fi
  if ! "$build/tests/campaigns/crash/crash_campaign" --kills "$kills" "${flags[@]}" \
      --seed "$seed" --clients "$clients" "$@" >"$out/crash-$mode.jsonl"; then
    status=1
    grep -v '"ok":true' "$out/crash-$mode.jsonl" | head -20 >&2 || true
  fi
  tail -n 1 "$out/crash-$mode.jsonl"
done
exit $status
