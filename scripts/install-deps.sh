#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the tools need.
# Does nothing (no apt-get update, no network) when all of them are already installed.
# Extra package names given as arguments are installed the same way (scripts/fuzz.sh: clang).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  libcaf-dev librocksdb-dev libcereal-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libssl-dev libjemalloc-dev
  redis-server libhiredis-dev etcd-server gnuplot-nox curl python3
  dpkg-dev file
  chromium fonts-noto-color-emoji
  "$@"
)
# Node.js for the npm-based test clients (the Slack SDK, playwright-core): Debian's packages
# unless a node and npm are already installed (e.g. from another source, which Debian's npm
# would conflict with).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
