#!/usr/bin/env bash
# Writes a database through presenced's HTTP API with snapshots every 3 user events.
set -euo pipefail
PRESENCED=${PRESENCED:?path of presenced}
OUT=${OUT:?output directory}
rm -rf "$OUT"; mkdir -p "$OUT"
DATA=$(mktemp -d)
ADMIN=fixture-admin-token-0123456789abcdef0123
"$PRESENCED" --data-dir "$DATA/db" --listen 127.0.0.1:0 --admin-token "$ADMIN" \
  --snapshot-every 3 >"$DATA/log" 2>&1 &
PID=$!
for _ in $(seq 100); do grep -q "listening on" "$DATA/log" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$DATA/log" | head -1)
call() { # token method json
  curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$URL/api/$2"; echo; }
call "$ADMIN" admin.users.create '{"id":"erin","name":"Erin"}' > "$DATA/erin.json"
call "$ADMIN" admin.users.create '{"id":"bot-7","name":"Seven","is_bot":true}' > "$DATA/bot.json"
ERIN=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["token"])' "$DATA/erin.json")
BOT=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["token"])' "$DATA/bot.json")
call "$ADMIN" admin.presets.create '{"name":"Lunch","presence":"away"}'
call "$ERIN" users.setActive "{}"
call "$ADMIN" admin.tokens.issue '{"user":"erin"}'
call "$ERIN" users.setPresence '{"presence":"away"}'
call "$ERIN" users.profile.set '{"profile":{"status_text":"reviewing","status_emoji":":eyes:"}}'
call "$ERIN" users.setPresence '{"presence":"auto"}'
call "$ERIN" users.setActive '{}'
call "$ERIN" users.prefs.set '{"idle_timeout":120,"auto_away":true}'
call "$ERIN" users.profile.set '{"profile":{"status_text":"in a meeting","status_emoji":":calendar:"}}'
call "$ERIN" users.setPresence '{"presence":"away"}'
call "$BOT" users.setPresence '{"presence":"auto"}'
call "$BOT" users.setActive '{}'
call "$ADMIN" admin.users.setAlwaysActive '{"user":"bot-7","always_active":true}'
call "$BOT" users.setPresence '{"presence":"away"}'
call "$BOT" users.setPresence '{"presence":"auto"}'
call "$ADMIN" admin.settings.set '{"settings":{"idle_timeout":900}}' || true
kill -TERM $PID; wait $PID || true
cp -r "$DATA/db" "$OUT/db"
rm -f "$OUT"/db/LOCK "$OUT"/db/LOG* "$OUT"/db/admin-token*
ls -la "$OUT/db"
rm -rf "$DATA"
