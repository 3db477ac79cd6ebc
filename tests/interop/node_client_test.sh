#!/usr/bin/env bash
# Interop test with an official client package from npm: installs PACKAGE_DIR's package.json
# (with `npm ci` when it has a package-lock.json) into CACHE_DIR, starts PRESENCED on
# 127.0.0.1:0 with a temporary data directory, and runs `node SCRIPT BASE_URL ADMIN_TOKEN`
# against it (BASE_URL = http://127.0.0.1:PORT).
# Usage: node_client_test.sh PRESENCED CACHE_DIR PACKAGE_DIR SCRIPT
# Exit 77 (ctest: skipped) only when npm cannot reach its registry.
set -euo pipefail
presenced=$1
cache=$2
package=$3
script=$4

mkdir -p "$cache"
if ! cmp -s "$package/package.json" "$cache/package.json"; then
  rm -rf "$cache/node_modules"
  cp "$package/package.json" "$cache/package.json"
  rm -f "$cache/package-lock.json"
  [ -f "$package/package-lock.json" ] && cp "$package/package-lock.json" "$cache/package-lock.json"
fi
install=install
[ -f "$cache/package-lock.json" ] && install=ci
if [ ! -d "$cache/node_modules" ]; then
  if ! (cd "$cache" && npm "$install" --no-audit --no-fund --loglevel=error >"$cache/npm.log" 2>&1); then
    cat "$cache/npm.log" >&2
    if grep -qiE 'ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|network|registry' "$cache/npm.log"; then
      echo "SKIP: npm cannot reach its registry; $(basename "$script") did not run" >&2
      exit 77
    fi
    echo "npm install failed" >&2
    exit 1
  fi
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

if ! NODE_PATH="$cache/node_modules" node "$script" "$base" "$token"; then
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
