#!/usr/bin/env bash
# Interop test: installs the official Slack Node SDK (@slack/web-api) from npm into CACHE_DIR,
# starts PRESENCED on 127.0.0.1:0 with a temporary data directory, and runs slack_sdk_test.js
# against it (slackApiUrl = http://127.0.0.1:PORT/api/).
# Usage: slack_sdk_test.sh PRESENCED CACHE_DIR
# Exit 77 (ctest: skipped) only when npm cannot reach its registry.
set -euo pipefail
presenced=$1
cache=$2
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$cache"
cp "$here/package.json" "$cache/package.json"
if [ ! -f "$cache/node_modules/@slack/web-api/package.json" ]; then
  bash "$here/../support/npm_install.sh" "$cache" "the Slack SDK interop test" npm install
fi

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

token=interop-admin-token-0123456789abcdef
mkfifo "$work/stdout"
"$presenced" --data-dir "$work/data" --listen 127.0.0.1:0 --admin-token "$token" \
  >"$work/stdout" 2>"$work/stderr" &
pid=$!
exec 3<"$work/stdout"
if ! read -r -t 60 -u 3 line; then
  echo "presenced did not become ready" >&2
  cat "$work/stderr" >&2
  exit 1
fi
case "$line" in
  "listening on http://"*) base=${line#listening on } ;;
  *) echo "unexpected stdout line: $line" >&2; exit 1 ;;
esac

if ! NODE_PATH="$cache/node_modules" node "$here/slack_sdk_test.js" "$base/api/" "$token"; then
  echo "--- presenced stderr ---" >&2
  cat "$work/stderr" >&2
  exit 1
fi

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
if [ "$status" -ne 0 ]; then
  echo "presenced exited with $status after SIGTERM" >&2
  exit 1
fi
