#!/usr/bin/env bash
# The README's test command (CI runs it through .ci/run): installs missing packages, builds
# everything, runs every test; then builds the CI subset under AddressSanitizer + UBSan in its own
# tree (build-asan) and runs it (scripts/asan.sh ci). The rest of the sanitizer campaign (every
# test under ASan+UBSan, the actor tests under TSan) is scripts/sanitizers.sh.
#   BUILD_DIR       the normal build tree             (default: build)
#   ASAN_BUILD_DIR  the ASan+UBSan build tree         (default: build-asan)
#   PRESENCE_ASAN=0 skips the ASan+UBSan part (a quicker local run; CI always runs it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build"}
bash "$root/scripts/build.sh" -DPRESENCE_BUILD_TESTS=ON -DPRESENCE_WERROR=ON
(cd "$build" && ctest --output-on-failure -j "$(nproc)" --timeout 900)
if [[ ${PRESENCE_ASAN:-1} != 0 || ${CI:-} == true ]]; then
  BUILD_DIR=${ASAN_BUILD_DIR:-"$root/build-asan"} bash "$root/scripts/asan.sh" ci
fi
