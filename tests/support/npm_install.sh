#!/usr/bin/env bash
# Runs an npm install command (e.g. `npm ci`) in CACHE_DIR for the npm-based tests, its output in
# CACHE_DIR/npm.log. Exit 77 (ctest: skipped) only when npm cannot reach its registry; 1 on any
# other failure (the log is printed).
# Usage: npm_install.sh CACHE_DIR WHAT npm …
set -euo pipefail
cache=$1
what=$2
shift 2
if (cd "$cache" && "$@" --no-audit --no-fund --loglevel=error >"$cache/npm.log" 2>&1); then
  exit 0
fi
cat "$cache/npm.log" >&2
if grep -qiE 'ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|network|registry' "$cache/npm.log"; then
  echo "SKIP: npm cannot reach its registry; $what did not run" >&2
  exit 77
fi
echo "npm install failed" >&2
exit 1
