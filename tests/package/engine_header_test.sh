#!/usr/bin/env bash
# The installed engine facade needs no CAF: installs the project from BUILD_DIR into a temporary
# prefix, compiles a file that includes only <presence/actors/engine.hpp> against that prefix, and
# fails when the compiler read any header of CAF, RocksDB, cereal or Boost to do it, or when the
# preprocessed file still names namespace `caf` (a forward declaration needs no CAF header but
# still ties the host to CAF). CAF and the others are installed system-wide on a build machine,
# so compiling alone would not show it: the check reads the compiler's full dependency list
# (-MD, system headers included) and its preprocessed output.
#   engine_header_test.sh BUILD_DIR [CXX]
set -euo pipefail
build=$1
cxx=${2:-c++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
header="$work/prefix/include/presence/actors/engine.hpp"
[[ -f $header ]] || { echo "FAIL: $header was not installed"; exit 1; }
printf '#include <presence/actors/engine.hpp>\nint main() { return 0; }\n' >"$work/host.cpp"
"$cxx" -std=c++17 -I"$work/prefix/include" -c "$work/host.cpp" -o "$work/host.o" \
  -MD -MF "$work/host.d"

# One dependency per line (make syntax: continuation backslashes, space-separated paths).
tr -s ' \\' '\n\n' <"$work/host.d" | sed '/^$/d; /:$/d' >"$work/deps.txt"
grep -qxF "$header" "$work/deps.txt" || { echo "FAIL: the installed header was not the one read"; exit 1; }
if grep -E '/(caf|rocksdb|cereal|boost)/' "$work/deps.txt" >"$work/forbidden.txt"; then
  echo "FAIL: <presence/actors/engine.hpp> pulls in $(wc -l <"$work/forbidden.txt") headers of" \
    "CAF, RocksDB, cereal or Boost, e.g.:"
  head -n 10 "$work/forbidden.txt"
  exit 1
fi
"$cxx" -std=c++17 -I"$work/prefix/include" -E -P "$work/host.cpp" -o "$work/host.ii"
if grep -nw 'caf' "$work/host.ii" >"$work/caf.txt"; then
  echo "FAIL: <presence/actors/engine.hpp> still names CAF ($(wc -l <"$work/caf.txt") lines), e.g.:"
  head -n 10 "$work/caf.txt"
  exit 1
fi
echo "ok: engine.hpp compiled from the installed package with $(wc -l <"$work/deps.txt") headers," \
  "none from CAF, RocksDB, cereal or Boost, and no mention of namespace caf"
