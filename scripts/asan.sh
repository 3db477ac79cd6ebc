#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run of the test suites, in its own build tree.
#
# Usage: scripts/asan.sh ci|full
#   ci    the subset CI runs (scripts/test.sh): builds only the test binaries listed in ci_tests
#         below (and what they need: the presenced binary for the end-to-end suites) and runs
#         their tests. Chosen from cold-build measurements (scripts/test.sh).
#   full  builds everything and runs every test: end-to-end, tools, bench smoke, package.
# Env: BUILD_DIR (default build-asan), CTEST_JOBS (default: number of cores).
# Exit status: non-zero if a test failed. Any sanitizer report fails the process it happens in
# (options below), and a report in a child process (presenced, presencectl) fails the test that
# started it (tests/support/sanitizer_report.hpp).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build-asan"}
mode=${1:-full}

# Unit suites of events, storage and the api's pure pieces, and the api's end-to-end suites
# (which start the real presenced). storage_scale_tests (1M events) and the actor, tools and
# bench suites run only in `full` (scripts/sanitizers.sh).
ci_tests=(
  events_tests storage_tests
  api_request_params_test api_error_mapping_test api_rate_limiter_test api_options_test
  api_rtm_unit_test
  api_web_api_test api_admin_api_test api_rest_api_test api_auth_test api_server_test
  api_connection_limit_test api_rtm_session_test api_rtm_errors_test api_rtm_notifications_test
  api_rtm_heartbeat_test api_rtm_shutdown_test api_rtm_metrics_test api_rtm_sdk_test
)

# halt_on_error/abort_on_error: the first report kills the process (SIGABRT), so the test fails
# even if it would have passed; detect_leaks: LeakSanitizer at exit (its suppressions are third-
# party one-time allocations only, scripts/lsan.supp). UBSan's checks are built non-recoverable
# (-fno-sanitize-recover=undefined in CMakeLists.txt); its options make it abort and print stacks.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:report_error_type=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
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
