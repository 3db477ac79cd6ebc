#!/usr/bin/env bash
# TLS interop test: generates a self-signed certificate for 127.0.0.1 (openssl CLI), starts
# PRESENCED with --tls-cert/--tls-key on 127.0.0.1:0, checks that it announces
# `listening on https://…` and that plain HTTP on that port gets no answer, then runs
# tls_sdk_test.js: the official Slack SDKs (@slack/web-api over https, @slack/rtm-api over wss),
# trusting the certificate through NODE_EXTRA_CA_CERTS. The SDKs come from the committed
# package-lock.json (`npm ci` into CACHE_DIR).
# Usage: tls_sdk_test.sh PRESENCED CACHE_DIR
# Exit 77 (ctest: skipped) only when npm cannot reach its registry.
set -euo pipefail
presenced=$1
cache=$2
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=interop_lib.sh
. "$here/interop_lib.sh"
npm_ci "$here/slack" "$cache"

certs=$(mktemp -d)
trap 'cleanup; rm -rf "$certs"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$certs/key.pem" -out "$certs/cert.pem" 2>/dev/null

token=interop-admin-token-0123456789abcdef
start_presenced "$presenced" https --admin-token "$token" \
  --tls-cert "$certs/cert.pem" --tls-key "$certs/key.pem"

# Plain HTTP to the TLS port is not served; verified TLS with the test's own CA is.
if curl -s --max-time 5 "${base/https:/http:}/healthz" | grep -q ok; then
  echo "plain HTTP was answered on the TLS port" >&2
  exit 1
fi
if [ "$(curl -s --max-time 5 --cacert "$certs/cert.pem" "$base/healthz")" != "ok" ]; then
  echo "https://…/healthz did not answer ok" >&2
  exit 1
fi

if ! NODE_EXTRA_CA_CERTS="$certs/cert.pem" NODE_PATH="$cache/node_modules" \
    timeout 120 node "$here/tls_sdk_test.js" "$base/api/" "$token"; then
  echo "--- presenced stderr ---" >&2
  cat "$work/stderr" >&2
  exit 1
fi
stop_presenced
