#!/usr/bin/env bash
# The full crash campaign: kill -9 presenced at least 50 times under load with durability=wal,
# then 50 times with durability=fsync while dropping every byte that was not fsynced (an emulated
# power loss), and check after each restart that nothing acknowledged was lost.
#
#   bash scripts/campaigns/crash.sh [BUILD_DIR] [-- extra crash_campaign flags]
#
# BUILD_DIR defaults to ./build (built here when crash_campaign is missing). Environment:
# KILLS (default 50), SEED (default: the date), CLIENTS (default 6). Each mode's JSON lines go to
# BUILD_DIR/campaigns/crash-MODE.jsonl; the summary lines are printed. Exit 0 only when both passed.
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
for mode in wal fsync; do
  echo "crash campaign: $kills kills, durability=$mode, seed=$seed, $clients clients -> $out/crash-$mode.jsonl" >&2
  if ! "$build/tests/campaigns/crash/crash_campaign" --kills "$kills" --durability "$mode" \
      --seed "$seed" --clients "$clients" "$@" >"$out/crash-$mode.jsonl"; then
    status=1
    grep -v '"ok":true' "$out/crash-$mode.jsonl" | head -20 >&2 || true
  fi
  tail -n 1 "$out/crash-$mode.jsonl"
done
exit $status
