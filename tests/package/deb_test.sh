#!/usr/bin/env bash
# Builds the Debian package from BUILD_DIR with cpack, checks what it holds, verifies its systemd
# unit (when systemd-analyze exists), extracts it into a temporary root (nothing is installed on
# the system) and starts the packaged presenced with the packaged config, its paths pointed into
# that root, until it answers /readyz; then stops it with SIGTERM and expects exit 0.
#   deb_test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "deb_test: $*" >&2; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/out/*.deb)
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

dpkg-deb -c "$deb" | awk '{print $NF}' >"$work/contents"
for wanted in ./usr/bin/presenced ./usr/bin/presencectl \
    ./usr/lib/systemd/system/presenced.service ./etc/presence/presenced.json \
    ./usr/include/presence/storage/backup.hpp ./usr/include/presence/actors/engine.hpp \
    ./usr/share/doc/presence/operations.md; do
  grep -qx "$wanted" "$work/contents" || fail "package lacks $wanted"
done
for pattern in '/cmake/presence/presenceConfig\.cmake$' '/cmake/presence/presenceTargets\.cmake$' \
    '/libpresence_storage\.a$' '/libpresence_actors\.a$'; do
  grep -q "$pattern" "$work/contents" || fail "package lacks a file matching $pattern"
done
# (Outputs are captured before grep reads them: `grep -q` stopping early would fail a pipeline.)
depends=$(dpkg-deb -f "$deb" Depends)
grep -q librocksdb <<<"$depends" || fail "Depends does not name librocksdb: $depends"
mkdir "$work/control"
dpkg-deb -e "$deb" "$work/control"
[ -x "$work/control/postinst" ] || fail "no executable postinst"
grep -q 'adduser --system' "$work/control/postinst" || fail "postinst does not create the system user"
grep -qx /etc/presence/presenced.json "$work/control/conffiles" ||
  fail "presenced.json is not a conffile"
echo "contents ok: binaries, unit, config, headers, libraries, CMake package, postinst"

root="$work/root"
dpkg-deb -x "$deb" "$root"
unit="$root/usr/lib/systemd/system/presenced.service"
for setting in 'User=presence' 'StateDirectory=presence' 'ConfigurationDirectory=presence' \
    'Restart=on-failure' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'PrivateTmp=yes' \
    'ProtectHome=yes' 'ExecStart=/usr/bin/presenced --config /etc/presence/presenced.json'; do
  grep -qx "$setting" "$unit" || fail "unit lacks $setting"
done
if command -v systemd-analyze >/dev/null; then
  # Verified as packaged, except that ExecStart= names the extracted binary (verify checks that
  # it exists; nothing is installed on this machine). verify exits 0 even when it ignores a
  # directive it cannot parse, so any output fails the test.
  mkdir "$work/verify"
  sed "s#^ExecStart=/usr/bin/presenced #ExecStart=$root/usr/bin/presenced #" "$unit" \
    >"$work/verify/presenced.service"
  if ! systemd-analyze verify --man=no "$work/verify/presenced.service" >"$work/verify.log" 2>&1 ||
      [ -s "$work/verify.log" ]; then
    cat "$work/verify.log" >&2
    fail "systemd-analyze verify rejected the unit"
  fi
  echo "systemd-analyze verify: ok"
else
  echo "systemd-analyze not installed: unit verification skipped"
fi

# The packaged config, with its paths pointed into the root and any free port.
config="$root/etc/presence/presenced.json"
sed -i -e "s#\"/var/lib/presence\"#\"$root/var/lib/presence\"#" \
  -e 's#"127.0.0.1:8080"#"127.0.0.1:0"#' "$config"
grep -q "\"$root/var/lib/presence\"" "$config" || fail "config has no data_dir to point into the root"
mkdir -p "$root/var/lib/presence"
mkfifo "$work/stdout"
"$root/usr/bin/presenced" --config "$config" >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
exec 3<"$work/stdout"
# Await the one line presenced prints once it serves.
read -r -t 120 line <&3 || { cat "$work/stderr" >&2; fail "presenced printed no listening line"; }
port=${line##*:}
[[ $line == "listening on http://127.0.0.1:"* && $port =~ ^[0-9]+$ ]] || fail "unexpected: $line"
status=$(curl -sS --max-time 30 -o "$work/readyz" -w '%{http_code}' "http://127.0.0.1:$port/readyz")
echo "readyz: $status $(cat "$work/readyz")"
if [ "$status" != 200 ] || [ "$(cat "$work/readyz")" != ready ]; then
  fail "/readyz answered $status"
fi
[ -f "$root/var/lib/presence/CURRENT" ] || fail "no database in the root's data directory"
kill -TERM "$server_pid"
code=0
wait "$server_pid" || code=$?
server_pid=
[ "$code" -eq 0 ] || { cat "$work/stderr" >&2; fail "presenced exited $code on SIGTERM"; }
echo "packaged presenced served /readyz from $root and stopped cleanly"
