#!/usr/bin/env bash
# Interop test with an official client package from npm: installs PACKAGE_DIR's package.json and
# its committed package-lock.json into CACHE_DIR (`npm ci`), starts PRESENCED on 127.0.0.1:0 with
# a temporary data directory, and runs `node SCRIPT BASE_URL ADMIN_TOKEN` against it
# (BASE_URL = http://127.0.0.1:PORT); then stops the server and requires a clean exit.
# Usage: node_client_test.sh PRESENCED CACHE_DIR PACKAGE_DIR SCRIPT
# Exit 77 (ctest: skipped) only when npm cannot reach its registry.
set -euo pipefail
presenced=$1
cache=$2
package=$3
script=$4
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=interop_lib.sh
. "$here/interop_lib.sh"
npm_ci "$package" "$cache"

token=interop-admin-token-0123456789abcdef
start_presenced "$presenced" http --admin-token "$token"

if ! NODE_PATH="$cache/node_modules" node "$script" "$base" "$token"; then
  echo "--- presenced stderr ---" >&2
  cat "$work/stderr" >&2
  exit 1
fi
stop_presenced
