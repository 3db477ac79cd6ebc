#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run of the test suites, in its own build tree.
#
# Usage: scripts/asan.sh ci|full
#   ci    the subset CI runs (scripts/test.sh): builds only the test binaries listed in ci_tests
#         below (and the libraries and helpers they need) and runs their tests.
#   full  builds everything and runs every test: end-to-end, tools, bench smoke, package.
# Env: BUILD_DIR (default build-asan), CTEST_JOBS (default: number of cores).
# Exit status: non-zero if a test failed. Any sanitizer report fails the process it happens in
# (options below), and a report in a child process (presenced, presencectl) fails the test that
# started it (tests/support/sanitizer_report.hpp).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build-asan"}
mode=${1:-full}

# The CI subset: the unit suites of events and storage (storage's use real RocksDB in temporary
# directories and a second process for the lock test). Verified clean; costs ~35 ASan objects
# on top of the normal build. The api's pure units need the actors and api libraries under ASan
# (~50 more objects, the bulk of a second full build) and the end-to-end suites also presenced
# and Beast-heavy test files: they run in `full` (scripts/sanitizers.sh) until their cold cost is
# measured to fit CI's 30 minutes. Add a binary here once `asan.sh full` has shown it clean.
ci_tests=(events_tests storage_tests)

# halt_on_error/abort_on_error: the first report kills the process (SIGABRT), so the test fails
# even if it would have passed; detect_leaks: LeakSanitizer at exit (its suppressions are third-
# party one-time allocations only, scripts/lsan.supp). UBSan's checks are built non-recoverable
# except `null` (CMakeLists.txt): halt_on_error makes a `null` report abort as well unless it
# matches scripts/ubsan.supp (one CAF header); the options make UBSan abort and print stacks.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:report_error_type=1:suppressions=$root/scripts/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

log() { printf '[asan] %s\n' "$*" >&2; }

labels=()
case $mode in
  ci)
    export BUILD_TARGETS="${ci_tests[*]}"
    pattern=$(IFS='|'; echo "^(${ci_tests[*]})\$")
    labels=(-L "$pattern")
    ;;
  full) unset BUILD_TARGETS ;;
  *) log "unknown mode $mode (ci, full)"; exit 2 ;;
esac

start=$SECONDS
BUILD_DIR=$build bash "$root/scripts/build.sh" -DPRESENCE_BUILD_TESTS=ON -DPRESENCE_SANITIZE=ON \
  -DPRESENCE_WERROR=ON
log "$mode: built in $((SECONDS - start)) s"

start=$SECONDS
rc=0
ctest --test-dir "$build" --output-on-failure -j "${CTEST_JOBS:-$(nproc)}" --timeout 900 \
  "${labels[@]}" || rc=$?
log "$mode: tests ran in $((SECONDS - start)) s, ctest exit $rc"
exit $rc
