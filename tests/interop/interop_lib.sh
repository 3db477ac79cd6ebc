# Sourced by the interop scripts.
#   npm_ci SOURCE_DIR CACHE_DIR: installs SOURCE_DIR's committed package-lock.json into CACHE_DIR
#     with `npm ci` (once per lockfile content); exits 77 (ctest: skipped) only when npm cannot
#     reach its registry.
#   start_presenced PRESENCED SCHEME ARGS…: makes $work (removed on exit), starts PRESENCED on
#     127.0.0.1:0 with a data directory there and ARGS, and sets $pid and $base from its
#     `listening on SCHEME://…` line (exit 1 when it does not come).
#   stop_presenced: SIGTERM, then exit 1 unless it exited 0.
npm_ci() {
  local source=$1 cache=$2
  mkdir -p "$cache"
  if cmp -s "$source/package-lock.json" "$cache/package-lock.json" && [ -d "$cache/node_modules" ]; then
    return 0
  fi
  cp "$source/package.json" "$source/package-lock.json" "$cache/"
  if ! (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >"$cache/npm.log" 2>&1); then
    rm -f "$cache/package-lock.json"
    cat "$cache/npm.log" >&2
    if grep -qiE 'ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|network|registry' "$cache/npm.log"; then
      echo "SKIP: npm cannot reach its registry; the interop test did not run" >&2
      exit 77
    fi
    echo "npm ci failed" >&2
    exit 1
  fi
}

work=
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

start_presenced() {
  local presenced=$1 scheme=$2 line
  shift 2
  work=$(mktemp -d)
  mkfifo "$work/stdout"
  "$presenced" --data-dir "$work/data" --listen 127.0.0.1:0 "$@" >"$work/stdout" 2>"$work/stderr" &
  pid=$!
  exec 3<"$work/stdout"
  if ! read -r -t 60 -u 3 line; then
    echo "presenced did not become ready" >&2
    cat "$work/stderr" >&2
    exit 1
  fi
  case "$line" in
    "listening on $scheme://"*) base=${line#listening on } ;;
    *) echo "expected 'listening on $scheme://…', got: $line" >&2; exit 1 ;;
  esac
}

stop_presenced() {
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  pid=
  if [ "$status" -ne 0 ]; then
    echo "presenced exited with $status after SIGTERM" >&2
    exit 1
  fi
}
