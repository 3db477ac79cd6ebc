#!/usr/bin/env bash
# The README's run command: installs missing packages, builds, and runs the main job —
# presenced on 127.0.0.1:8080 with its embedded RocksDB under ./data (override with
# PRESENCE_DATA_DIR / PRESENCE_LISTEN). Extra arguments go to presenced.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build"}
bash "$root/scripts/build.sh" -DPRESENCE_BUILD_TESTS=OFF

data=${PRESENCE_DATA_DIR:-./data}
listen=${PRESENCE_LISTEN:-127.0.0.1:8080}
if [ ! -x "$build/api/presenced" ]; then
  # Until the server is built in this tree, the main job is the presencectl demo.
  exec bash "$root/scripts/demo.sh" "$build/tools/presencectl/presencectl"
fi
cat >&2 <<TXT
presenced: data in $data, listening on http://$listen
  On first start it generates an admin token and keeps it in $data/admin-token (mode 0600).
  Try, in another shell (README.md has more):
    T=\$(cat $data/admin-token)
    curl -s -H "Authorization: Bearer \$T" -d id=alice -d name=Alice http://$listen/api/admin.users.create
    A=<the "token" from that answer>
    curl -s -H "Authorization: Bearer \$A" -d presence=away http://$listen/api/users.setPresence
    curl -s -H "Authorization: Bearer \$A" "http://$listen/api/users.getPresence?user=alice"
TXT
exec "$build/api/presenced" --data-dir "$data" --listen "$listen" "$@"
