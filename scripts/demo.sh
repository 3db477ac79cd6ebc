#!/usr/bin/env bash
# A short presencectl demo: import the hand-written scenario log into a fresh ./data-demo, then
# rebuild a user's presence at several instants, show the audit trail, a day report, and verify.
# Usage: scripts/demo.sh PATH/TO/presencectl
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ctl=${1:?usage: demo.sh PATH/TO/presencectl}
db=${PRESENCE_DEMO_DIR:-./data-demo}
scenario="$root/tests/tools/data/scenario.jsonl"

bold='' plain=''
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi

# step TITLE ARGS...: says what it does, shows the command, runs it.
step() {
  printf '\n%s== %s%s\n$ presencectl --db %s %s\n' "$bold" "$1" "$plain" "$db" "${*:2}"
  "$ctl" --db "$db" "${@:2}"
}

rm -rf "$db"
step "Import the scenario (one JSON event per line; see docs/export-format.md)" import "$scenario"
step "Alice just connected: online" inspect alice --at 2026-11-21T09:00:00Z
step "10 minutes without activity (idle_timeout 600 s): auto-away, before the timer's away event is logged" \
  inspect alice --at 2026-11-21T09:15:10Z
step "Busy until 11:00 (manual presence with an expiry)" inspect alice --at 2026-11-21T10:30:00Z
step "The busy mode expired: back online" inspect alice --at 2026-11-21T11:00:00Z
step "Invisible: offline to everyone while connected" inspect alice --at 2026-11-21T11:45:00Z
step "Custom status until 13:00, cleared at its expiration" inspect alice --at 2026-11-21T12:59:59Z
step "The same instant as JSON (what the tests assert on)" inspect alice --at 2026-11-21T13:00:00Z --json
step "Alice's audit trail: what, when, who, from where" history alice
step "Time in each presence that day" report alice --day 2026-11-21
step "Verify every record, index and snapshot" verify
