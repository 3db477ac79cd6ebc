#!/usr/bin/env bash
# The sanitizer campaign, one command: every test under AddressSanitizer + UndefinedBehaviorSanitizer
# (scripts/asan.sh full: unit, end-to-end, tools, bench smoke and package tests, in build-asan),
# then the actor tests under ThreadSanitizer against an instrumented CAF (scripts/tsan.sh, in
# build-tsan). CI (scripts/test.sh) runs only the ASan subset `scripts/asan.sh ci`; this runs the rest.
#
# Usage: scripts/sanitizers.sh [asan|tsan]...   (default: both, ASan first; both run even if the
#        first fails). Exit status: non-zero if any test failed or any sanitizer reported anything.
# Logs: build-asan/Testing/Temporary/LastTest.log, build-tsan/tsan-logs/.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
parts=("$@")
[[ ${#parts[@]} -gt 0 ]] || parts=(asan tsan)

log() { printf '[sanitizers] %s\n' "$*" >&2; }

failed=()
for part in "${parts[@]}"; do
  start=$SECONDS
  case $part in
    asan) bash "$root/scripts/asan.sh" full ;;
    tsan) bash "$root/scripts/tsan.sh" ;;
    *) log "unknown part $part (asan, tsan)"; exit 2 ;;
  esac
  rc=$?
  log "$part: exit $rc in $((SECONDS - start)) s"
  [[ $rc == 0 ]] || failed+=("$part")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  log "FAILED: ${failed[*]}"
  exit 1
fi
log "all clean: ${parts[*]}"
