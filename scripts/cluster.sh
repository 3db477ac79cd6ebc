#!/usr/bin/env bash
# Starts etcd and three presenced nodes on 127.0.0.1 to try the cluster (docs/cluster.md): data
# under ./cluster-data (override with PRESENCE_CLUSTER_DIR), HTTP on 127.0.0.1:8081..8083, one
# admin token for all (in $dir/admin-token). Builds first, as scripts/run.sh does. Ctrl-C (or
# SIGTERM) stops the nodes and etcd. Extra arguments go to every presenced.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build"}
bash "$root/scripts/build.sh" -DPRESENCE_BUILD_TESTS=OFF >&2
command -v etcd >/dev/null || { echo "cluster.sh: etcd not found (Debian package etcd-server)" >&2; exit 1; }

dir=${PRESENCE_CLUSTER_DIR:-./cluster-data}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
etcd_client=${PRESENCE_ETCD_PORT:-2379}
etcd_peer=$((etcd_client + 1))
if [ ! -s "$dir/admin-token" ]; then
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/admin-token")
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

etcd --name presence-etcd --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_client" \
  --advertise-client-urls "http://127.0.0.1:$etcd_client" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "presence-etcd=http://127.0.0.1:$etcd_peer" \
  --log-level error 2>"$dir/etcd.log" &
pids+=($!)
until curl -sf "http://127.0.0.1:$etcd_client/health" >/dev/null; do
  kill -0 "${pids[0]}" 2>/dev/null || { echo "cluster.sh: etcd did not start:" >&2; cat "$dir/etcd.log" >&2; exit 1; }
  sleep 0.2
done

for n in 1 2 3; do
  "$build/api/presenced" --data-dir "$dir/n$n" \
    --listen "127.0.0.1:808$n" --admin-token-file "$dir/admin-token" \
    --cluster-etcd "http://127.0.0.1:$etcd_client" --node-id "n$n" --cluster-nodes n1,n2,n3 \
    "$@" 2>"$dir/n$n.log" &
  pids+=($!)
done
for n in 1 2 3; do
  until curl -sf "http://127.0.0.1:808$n/readyz" >/dev/null; do
    kill -0 "${pids[$n]}" 2>/dev/null || { echo "cluster.sh: node n$n stopped:" >&2; tail -5 "$dir/n$n.log" >&2; exit 1; }
    sleep 0.2
  done
done
cat >&2 <<TXT
cluster: etcd on http://127.0.0.1:$etcd_client, nodes n1..n3 on http://127.0.0.1:8081..8083
  logs in $dir/n1.log..n3.log; the admin token is in $dir/admin-token. Try:
    T=\$(cat $dir/admin-token)
    curl -s -H "Authorization: Bearer \$T" http://127.0.0.1:8082/api/admin.cluster.info
    curl -s -H "Authorization: Bearer \$T" -d id=alice -d name=Alice http://127.0.0.1:8081/api/admin.users.create
    curl -s -H "Authorization: Bearer \$T" "http://127.0.0.1:8083/api/admin.cluster.locate?user=alice"
  Ctrl-C stops everything.
TXT
wait -n "${pids[@]}" || true
echo "cluster.sh: a process stopped; stopping the others" >&2
