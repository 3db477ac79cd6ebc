#!/usr/bin/env bash
# Browser tests of the web console: installs playwright-core from the committed lockfile
# (`npm ci`) into CACHE_DIR, then runs console_test.mjs with Debian's headless Chromium against
# the real PRESENCED (it starts its own on 127.0.0.1:0 with temporary data directories).
# Usage: console_test.sh PRESENCED CACHE_DIR [SCREENSHOT_DIR] [FIGURES_FILE]
# Exit 77 (ctest: skipped) only when npm cannot reach its registry.
set -euo pipefail
presenced=$1
mkdir -p "$2"
cache=$(cd "$2" && pwd)
shots=${3:-}
figures=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  echo "$chromium is missing: scripts/install-deps.sh installs Debian's chromium package" >&2
  exit 1
fi
# Reinstalled whenever the lockfile changes.
if ! cmp -s "$here/package-lock.json" "$cache/package-lock.json" ||
   [ ! -f "$cache/node_modules/playwright-core/package.json" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$cache/"
  # A failed install leaves no lockfile behind, so the next run tries again.
  bash "$here/../support/npm_install.sh" "$cache" "the browser tests" npm ci ||
    { status=$?; rm -f "$cache/package-lock.json"; exit "$status"; }
fi
# The test modules resolve playwright-core from the cache's node_modules.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here"/*.mjs "$work/"
ln -s "$cache/node_modules" "$work/node_modules"
CHROMIUM="$chromium" node "$work/console_test.mjs" "$presenced" "$shots" "$figures"
