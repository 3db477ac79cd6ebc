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
  The admin token is printed below on first start (and kept in $data/admin-token).
  Try, in another shell:
    T=\$(cat $data/admin-token)
    curl -s -H "Authorization: Bearer \$T" -d id=alice -d name=Alice http://$listen/api/admin.users.create
    curl -s -H "Authorization: Bearer <alice's token>" -d presence=away http://$listen/api/users.setPresence
    curl -s -H "Authorization: Bearer <alice's token>" "http://$listen/api/users.getPresence?user=alice"
TXT
exec "$build/api/presenced" --data-dir "$data" --listen "$listen" "$@"
