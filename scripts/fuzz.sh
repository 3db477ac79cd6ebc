#!/usr/bin/env bash
# libFuzzer campaigns over the pure code (tests/fuzz): builds the targets with clang 14 and
# -fsanitize=fuzzer,address,undefined into ${FUZZ_BUILD_DIR:-build-fuzz}, runs each target for
# SECONDS (default 600) on a working copy of its committed corpus, with leak detection on, then
# merges the inputs that reach new code into tests/fuzz/corpus/<target>.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    targets: event_codec request_mapping rtm_message ddp_message
#
# Exits 1 when any target crashes, leaks, times out, runs out of memory or trips a sanitizer; the
# input is left in build-fuzz/artifacts/<target>/ (copy it to tests/fuzz/regressions/<target>/
# once fixed). Logs: build-fuzz/logs/<target>.log. Installs missing Debian packages first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-"$root/build-fuzz"}
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(event_codec request_mapping rtm_message ddp_message); fi
case "$seconds" in ''|*[!0-9]*) echo "fuzz: SECONDS must be a number, got '$seconds'" >&2; exit 2;; esac

# The main build's packages (cmake, ninja, cereal, nlohmann-json…), plus clang and libFuzzer's
# runtime, which only this script needs.
bash "$root/scripts/install-deps.sh" clang-14 libclang-rt-14-dev

export CCACHE_DIR=${CCACHE_DIR:-"$HOME/.cache/ccache"}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-"$root"}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$build" -j 2 --target "${build_targets[@]}"

# Largest input tried: records, frames and request bodies are all far smaller in practice.
max_len=4096
status=0
mkdir -p "$build/logs"
for t in "${targets[@]}"; do
  corpus="$root/tests/fuzz/corpus/$t"
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$work" "$artifacts"
  rm -f "$artifacts"/*
  dict=()
  if [ -f "$root/tests/fuzz/dict/$t.dict" ]; then dict=(-dict="$root/tests/fuzz/dict/$t.dict"); fi
  before=$(find "$corpus" -type f | wc -l)
  echo "fuzz: $t for ${seconds}s (corpus $before files, log $log)"
  # New inputs go to the working copy (first directory); the committed corpus is only read here.
  set +e
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/fuzz_$t" -max_total_time="$seconds" -max_len=$max_len -rss_limit_mb=2048 \
    -timeout=10 -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "${dict[@]}" "$work" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  # The last status line ("#N DONE cov: … ft: … corp: …") and the final stats.
  grep -E '^#[0-9]+' "$log" | tail -n 1 || true
  grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' "$log" || true
  if [ $rc -ne 0 ] || [ -n "$(ls -A "$artifacts")" ]; then
    echo "fuzz: $t FAILED (exit $rc); inputs in $artifacts:" >&2
    ls -l "$artifacts" >&2 || true
    grep -E 'ERROR|FUZZ_CHECK|runtime error|SUMMARY' "$log" | head -n 20 >&2 || true
    status=1
    continue
  fi
  # Keep only inputs that reach new code (edges, not hit counts: -use_counters=0), so the
  # committed corpus stays at tens to a few hundred files.
  "$build/fuzz_$t" -merge=1 -use_counters=0 -max_len=$max_len -rss_limit_mb=2048 -timeout=10 \
    "$corpus" "$work" >"$build/logs/$t.merge.log" 2>&1
  after=$(find "$corpus" -type f | wc -l)
  echo "fuzz: $t passed; corpus $before -> $after files"
done
exit $status
