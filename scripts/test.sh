#!/usr/bin/env bash
# The README's test command: installs missing packages, builds everything, runs every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build"}
bash "$root/scripts/build.sh" -DPRESENCE_BUILD_TESTS=ON -DPRESENCE_WERROR=ON
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 900
