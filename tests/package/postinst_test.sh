#!/usr/bin/env bash
# Runs the Debian package's real maintainer scripts: `dpkg --root=ROOT -i` into a throwaway root,
# inside a private mount namespace, so nothing is installed on this machine. ROOT/usr is an
# overlay whose lower layer is the host's /usr (read-only: the chroot'ed postinst finds sh,
# getent, adduser and perl there) and whose upper layer takes the package's files; ROOT/etc starts
# as a copy of the host's account files. Then checks that the postinst created the `presence`
# system user the unit runs as, with the unit's StateDirectory and the config's data_dir as its
# home; that a second install (an upgrade) runs it again cleanly; and that removing the package
# keeps the user and the config. Exits 77 (a ctest skip) when not root or without unshare and
# overlayfs.
#   postinst_test.sh BUILD_DIR
set -euo pipefail
build=$1
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "postinst_test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg --root runs the maintainer scripts chroot'ed)"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
unshare --mount --propagation private true 2>/dev/null ||
  skip "cannot create a private mount namespace here (unshare --mount refused)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
host_accounts=$(cat /etc/passwd /etc/group | sha256sum)
host_had_presenced=$(test -e /usr/bin/presenced && echo yes || echo no)

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/out/*.deb)
package=$(dpkg-deb -f "$deb" Package)

root="$work/root"
mkdir -p "$root"/{usr,etc,dev,run,tmp,var/lib/dpkg/info,var/lib/dpkg/updates} "$work/upper" \
  "$work/overlay-work"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available" "$root/dev/null"
for dir in bin lib lib64 sbin; do
  if [ -L "/$dir" ]; then ln -s "$(readlink "/$dir")" "$root/$dir"; fi
done
for file in passwd group shadow gshadow login.defs adduser.conf; do
  if [ -e "/etc/$file" ]; then cp -p "/etc/$file" "$root/etc/"; fi
done

# Everything that needs the mounts runs in the namespace; it prints what it found, one
# `key value` line each, and exits 77 itself when overlayfs cannot be mounted.
inside=$(cat <<'SCRIPT'
set -euo pipefail
root=$1 upper=$2 overlay_work=$3 deb=$4 package=$5
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$upper,workdir=$overlay_work" "$root/usr" \
  2>/dev/null || { echo "SKIP: overlayfs cannot be mounted here"; exit 77; }
mount --bind /dev/null "$root/dev/null"
# Depends (adduser, librocksdb, ...) are on the host's /usr but not in ROOT's empty dpkg database.
dpkg --root="$root" --force-depends -i "$deb" >"$root/tmp/install.log" 2>&1 ||
  { cat "$root/tmp/install.log" >&2; exit 1; }
echo "status $(dpkg --root="$root" -s "$package" | sed -n 's/^Status: //p' | tr ' ' _)"
echo "passwd $(grep '^presence:' "$root/etc/passwd" || true)"
echo "group $(grep '^presence:' "$root/etc/group" || true)"
echo "unit_user $(sed -n 's/^User=//p' "$root/usr/lib/systemd/system/presenced.service")"
echo "unit_state $(sed -n 's/^StateDirectory=//p' "$root/usr/lib/systemd/system/presenced.service")"
echo "config_mode $(stat -c '%a %U' "$root/etc/presence/presenced.json")"
echo "data_dir $(sed -n 's/^ *"data_dir": *"\([^"]*\)".*/\1/p' "$root/etc/presence/presenced.json")"
echo "binary $(test -x "$root/usr/bin/presenced" && echo yes || echo no)"
# The same package again: an upgrade runs the postinst with the user already there.
dpkg --root="$root" --force-depends -i "$deb" >"$root/tmp/again.log" 2>&1 ||
  { cat "$root/tmp/again.log" >&2; exit 1; }
echo "users_after_upgrade $(grep -c '^presence:' "$root/etc/passwd")"
dpkg --root="$root" --force-depends -r "$package" >"$root/tmp/remove.log" 2>&1 ||
  { cat "$root/tmp/remove.log" >&2; exit 1; }
echo "after_remove_user $(grep -c '^presence:' "$root/etc/passwd")"
echo "after_remove_config $(test -f "$root/etc/presence/presenced.json" && echo kept || echo gone)"
echo "after_remove_binary $(test -e "$root/usr/bin/presenced" && echo left || echo removed)"
SCRIPT
)
code=0
unshare --mount --propagation private bash -c "$inside" inside "$root" "$work/upper" \
  "$work/overlay-work" "$deb" "$package" >"$work/found" || code=$?
cat "$work/found"
[ "$code" -ne 77 ] || exit 77
[ "$code" -eq 0 ] || fail "installing into the throwaway root failed (exit $code)"
value() { sed -n "s/^$1 //p" "$work/found"; }

[ "$(value status)" = install_ok_installed ] || fail "dpkg did not configure $package"
IFS=: read -r name _ uid gid _ home shell <<<"$(value passwd)"
[ "$name" = presence ] || fail "the postinst created no presence user in ROOT/etc/passwd"
[ "$uid" -lt 1000 ] || fail "presence is not a system user (uid $uid)"
[ "$(value group | cut -d: -f3)" = "$gid" ] || fail "presence's primary group is not 'presence'"
[ "$shell" = /usr/sbin/nologin ] || fail "presence can log in (shell $shell)"
[ "$(value unit_user)" = presence ] || fail "the unit runs as '$(value unit_user)', not presence"
# systemd creates StateDirectory=presence as /var/lib/presence, owned by User=, at start.
[ "$home" = "/var/lib/$(value unit_state)" ] ||
  fail "home $home is not the unit's StateDirectory /var/lib/$(value unit_state)"
[ "$(value data_dir)" = "$home" ] || fail "the config's data_dir $(value data_dir) is not $home"
[ "$(value config_mode)" = "644 root" ] || fail "presenced.json is $(value config_mode)"
[ "$(value binary)" = yes ] || fail "presenced was not unpacked"
[ "$(value users_after_upgrade)" = 1 ] || fail "a second install duplicated the user"
[ "$(value after_remove_user)" = 1 ] || fail "removing the package removed the user"
[ "$(value after_remove_config)" = kept ] || fail "removing the package removed its conffile"
[ "$(value after_remove_binary)" = removed ] || fail "removing the package left presenced"
[ "$(cat /etc/passwd /etc/group | sha256sum)" = "$host_accounts" ] ||
  fail "the host's /etc/passwd or /etc/group changed"
[ "$(test -e /usr/bin/presenced && echo yes || echo no)" = "$host_had_presenced" ] ||
  fail "/usr/bin/presenced appeared on the host"
echo "postinst: system user presence (uid $uid) home $home = StateDirectory = data_dir;" \
  "upgrade and remove keep it; nothing installed on the host"
