#!/usr/bin/env bash
# Interop test: installs the official Slack Node SDK (@slack/web-api) from npm into CACHE_DIR
# (`npm ci` from the committed package-lock.json),
# starts PRESENCED on 127.0.0.1:0 with a temporary data directory, and runs slack_sdk_test.js
# against it (slackApiUrl = http://127.0.0.1:PORT/api/).
# Usage: slack_sdk_test.sh PRESENCED CACHE_DIR
# Exit 77 (ctest: skipped) only when npm cannot reach its registry.
set -euo pipefail
presenced=$1
cache=$2
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=interop_lib.sh
. "$here/interop_lib.sh"
npm_ci "$here" "$cache"

token=interop-admin-token-0123456789abcdef
start_presenced "$presenced" http --admin-token "$token"

if ! NODE_PATH="$cache/node_modules" node "$here/slack_sdk_test.js" "$base/api/" "$token"; then
  echo "--- presenced stderr ---" >&2
  cat "$work/stderr" >&2
  exit 1
fi
stop_presenced
