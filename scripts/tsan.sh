#!/usr/bin/env bash
# ThreadSanitizer run of the actor tests against a TSan-instrumented CAF 0.17.6.
#
# Why: Debian's libcaf_core.so is not instrumented, so TSan cannot see the happens-before edges of
# CAF's lock-free mailbox and scheduler hand-offs: ~4,000 false races in the tests that run
# actors on the real scheduler. This script builds libcaf_core from Debian's own source package
# (same version, same soname, same build_config.hpp as the installed headers) with
# -fsanitize=thread, builds presence's tests with -DPRESENCE_TSAN=ON and runs them with LD_LIBRARY_PATH
# pointing at the instrumented library. See docs/tsan.md.
#
# Usage: scripts/tsan.sh [phase...]      phases: caf build run (default: all three, in order)
#   BUILD_DIR   the TSan build tree                     (default: build-tsan)
#   JOBS        parallel compile jobs                   (default: 2)
#   TESTS       test binaries to run                    (default: every actor test but engine_load_test)
#   TSAN_LOAD=1 adds engine_load_test (10,000 users x 100 events: 5-11 min under TSan on 2 cores)
#   GTEST_FILTER  passed to every binary                (default: skips the 100k-actor RSS test)
#   TSAN_NO_SUPP=1     run without scripts/tsan.supp (to see what it hides)
#   TSAN_DEBIAN_CAF=1  run against Debian's uninstrumented CAF instead (to count the false positives)
# Exit status: non-zero if a test failed or TSan reported anything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build-tsan"}
jobs=${JOBS:-2}
work="$build/caf-tsan"               # CAF source, build and logs; inside the (ignored) build tree
caf_lib="$work/lib"                  # the instrumented libcaf_core.so.0.17.6 ends up here
logs="$build/tsan-logs"
supp="$root/scripts/tsan.supp"
tests=${TESTS:-"journal_test user_test user_fault_test directory_test engine_test engine_open_test concurrency_test supervisor_test supervisor_admin_test broadcaster_test broadcaster_phases_test fanout_test connection_limit_test token_hash_test workspace_commands_test request_gateway_test message_dispatch_test"}
[[ ${TSAN_LOAD:-0} == 1 && " $tests " != *" engine_load_test "* ]] && tests="$tests engine_load_test"
# engine_memory measures RSS per actor; TSan's shadow memory makes that number meaningless.
filter=${GTEST_FILTER:-"-engine_memory.*"}
phases=("$@")
[[ ${#phases[@]} -gt 0 ]] || phases=(caf build run)

log() { printf '[tsan] %s\n' "$*" >&2; }

# --- 1. CAF 0.17.6 from Debian's source package, libcaf_core only, instrumented -----------------
build_caf() {
  local start=$SECONDS
  mkdir -p "$work/src"
  if ! apt-cache showsrc libcaf-dev >/dev/null 2>&1 || [[ -z $(apt-cache showsrc libcaf-dev 2>/dev/null) ]]; then
    if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
      log "adding a bookworm deb-src entry (/etc/apt/sources.list.d/debian-src.sources)"
      cat >/etc/apt/sources.list.d/debian-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    apt-get update -qq
  fi
  local srcpkg version upstream
  srcpkg=$(apt-cache showsrc libcaf-dev | awk '/^Package:/ {print $2; exit}')
  version=$(apt-cache showsrc libcaf-dev | awk '/^Version:/ {print $2; exit}')
  upstream=${version%%-*}
  upstream=${upstream#*:}
  [[ $upstream == 0.17.6 ]] || { log "Debian's $srcpkg is $version, expected 0.17.6"; exit 1; }
  local orig="$work/src/${srcpkg}_${upstream}.orig.tar.gz"
  local dsc="$work/src/${srcpkg}_${version}.dsc"
  if [[ ! -f $orig || ! -f $dsc ]]; then
    log "apt-get source --download-only $srcpkg=$version"
    # The Debian packaging tarball (debian.tar.xz) is 404 on some mirrors; the upstream tarball and
    # the .dsc are all it needs (Debian's only patch to the installed headers is in libcaf_io, which
    # is not built), so a partial download is fine as long as the checksum below matches.
    (cd "$work/src" && apt-get source --download-only "$srcpkg=$version") || true
  fi
  [[ -f $orig && -f $dsc ]] || { log "could not download $orig"; exit 1; }
  local want got
  want=$(awk '/^Checksums-Sha256:/ {s=1; next} s && /orig\.tar/ {print $1; exit}' "$dsc")
  got=$(sha256sum "$orig" | cut -d' ' -f1)
  [[ -n $want && $want == "$got" ]] || { log "sha256 of $orig is $got, the .dsc says $want"; exit 1; }
  log "upstream tarball verified against $(basename "$dsc") (sha256 $got)"

  local srcdir="$work/src/actor-framework-$upstream"
  if [[ ! -d $srcdir ]]; then
    local debian_tar=("$work/src/${srcpkg}_${version}".debian.tar.*)
    if [[ -f ${debian_tar[0]} ]] && command -v dpkg-source >/dev/null; then
      (cd "$work/src" && dpkg-source -x --no-check "$(basename "$dsc")" "actor-framework-$upstream")
    else
      tar -xzf "$orig" -C "$work/src"
    fi
  fi
  # The library built here must match the installed headers, which presence is compiled against.
  if ! diff -rq "$srcdir/libcaf_core/caf" /usr/include/caf 2>/dev/null | grep -v '^Only in /usr/include' \
      | grep -q .; then
    log "libcaf_core headers in the source are identical to /usr/include/caf"
  else
    log "warning: libcaf_core headers differ from /usr/include/caf:"
    diff -rq "$srcdir/libcaf_core/caf" /usr/include/caf | grep -v '^Only in /usr/include' >&2 || true
  fi

  # CAF's CMake adds -std=c++11 and the warnings itself when CMAKE_CXX_FLAGS lacks -std. The
  # options mirror Debian's build_config.hpp (log level QUIET, memory management and exceptions on,
  # no runtime checks) so that the inline code in the headers and the library agree.
  cmake -S "$srcdir" -B "$work/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1 -g -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
    -DCAF_LOG_LEVEL=QUIET -DCAF_NO_IO=ON -DCAF_NO_OPENSSL=ON -DCAF_NO_OPENCL=ON \
    -DCAF_NO_PYTHON=ON -DCAF_NO_TOOLS=ON -DCAF_NO_EXAMPLES=ON -DCAF_NO_UNIT_TESTS=ON \
    -DCAF_NO_SUMMARY=ON -DCAF_NO_COMPILER_CHECK=ON -DCAF_NO_AUTO_LIBCPP=ON >"$work/cmake.log"
  cmake --build "$work/build" -j "$jobs" --target libcaf_core_shared >"$work/build.log" 2>&1 \
    || { tail -40 "$work/build.log" >&2; exit 1; }
  mkdir -p "$caf_lib"
  local so
  so=$(find "$work/build" -name 'libcaf_core.so.*' -type f | head -1)
  local want_soname got_soname
  want_soname=$(readelf -d /lib/x86_64-linux-gnu/libcaf_core.so.0.17.6 | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
  got_soname=$(readelf -d "$so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
  [[ $want_soname == "$got_soname" ]] || { log "soname $got_soname != Debian's $want_soname"; exit 1; }
  cp -f "$so" "$caf_lib/$got_soname"
  log "instrumented $got_soname in $caf_lib ($((SECONDS - start)) s)"
}

# --- 2. presence's tests, -DPRESENCE_TSAN=ON ----------------------------------------------------
build_tests() {
  local start=$SECONDS
  cmake -S "$root" -B "$build" -G Ninja -DPRESENCE_TSAN=ON -DPRESENCE_BUILD_TESTS=ON >/dev/null
  # shellcheck disable=SC2086
  cmake --build "$build" -j "$jobs" --target $tests
  log "tests built ($((SECONDS - start)) s)"
}

# --- 3. run them with the instrumented CAF ----------------------------------------------------------
run_tests() {
  local start=$SECONDS libpath=$caf_lib
  if [[ ${TSAN_DEBIAN_CAF:-0} == 1 ]]; then
    libpath=""
    log "running against Debian's UNINSTRUMENTED libcaf_core (expect false positives)"
  else
    [[ -f $caf_lib/libcaf_core.so.0.17.6 ]] || { log "no instrumented CAF; run: $0 caf"; exit 1; }
  fi
  rm -rf "$logs" && mkdir -p "$logs"
  local extra=""
  [[ -f $supp && ${TSAN_NO_SUPP:-0} != 1 ]] && extra="suppressions=$supp"
  export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 history_size=7 print_suppressions=1 $extra ${TSAN_OPTIONS:-}"
  local first bin
  first=${tests%% *}
  # Prove the binaries load the instrumented library, not Debian's.
  local loaded
  loaded=$(LD_LIBRARY_PATH=$libpath LD_TRACE_LOADED_OBJECTS=1 "$build/tests/actors/$first" | grep libcaf_core)
  log "loader resolves: $loaded"
  local failed=0 total_tests=0 total_warn=0
  for t in $tests; do
    bin="$build/tests/actors/$t"
    local t0=$SECONDS rc=0
    LD_LIBRARY_PATH=$libpath "$bin" --gtest_filter="$filter" >"$logs/$t.log" 2>&1 || rc=$?
    local ran warns
    ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran.*/\1/p' "$logs/$t.log" | tail -1)
    warns=$(grep -c '^WARNING: ThreadSanitizer' "$logs/$t.log" || true)
    total_tests=$((total_tests + ${ran:-0})); total_warn=$((total_warn + warns))
    log "$(printf '%-24s rc=%-3s tests=%-4s tsan_warnings=%-5s %4ss' "$t" "$rc" "${ran:-?}" "$warns" $((SECONDS - t0)))"
    [[ $rc == 0 && $warns == 0 ]] || failed=1
  done
  log "total: $total_tests tests, $total_warn TSan warnings, $((SECONDS - start)) s; logs in $logs"
  return $failed
}

for phase in "${phases[@]}"; do
  case $phase in
    caf) build_caf ;;
    build) build_tests ;;
    run) run_tests ;;
    *) log "unknown phase $phase (caf, build, run)"; exit 2 ;;
  esac
done
