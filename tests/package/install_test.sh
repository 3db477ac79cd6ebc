#!/usr/bin/env bash
# Installs the project from BUILD_DIR into a temporary prefix, builds examples/host against the
# installed package with find_package(presence), and runs its scripted scenario.
#   install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$src/examples/host" -B "$work/host" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  "${launcher[@]}" >/dev/null
cmake --build "$work/host" >/dev/null
"$work/host/presence_host" "$work/db" | tee "$work/out.txt"
grep -qx "scenario ok" "$work/out.txt"
"$work/host/presence_host_plain" "$work/plain-db" | tee "$work/plain.txt"
grep -qx "plain ok" "$work/plain.txt"
