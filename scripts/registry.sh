#!/usr/bin/env bash
# Starts and stops a throwaway OCI registry (Debian's docker-registry,
# Docker Distribution 2.8) on 127.0.0.1 for signbox's publish/fleet tests.
#
#   registry.sh start DIR   start it with storage under DIR; print HOST:PORT
#   registry.sh stop DIR    stop the one started with DIR
#
# DIR gets config.yml, storage/, pid, addr and log. The port is a free one
# picked at random; nothing listens beyond 127.0.0.1.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: registry.sh start|stop DIR" >&2
  exit 2
fi
bin=${SIGNBOX_REGISTRY:-docker-registry}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  command -v "$bin" >/dev/null 2>&1 || { echo "registry.sh: $bin not found (scripts/ensure-deps.sh registry installs docker-registry)" >&2; exit 3; }
  mkdir -p "$dir/storage"
  for _ in $(seq 1 20); do
    port=$(( 20000 + RANDOM % 40000 ))
    port_free "$port" || continue
    cat > "$dir/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
    "$bin" serve "$dir/config.yml" >"$dir/log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if ! port_free "$port"; then
        echo "$pid" > "$dir/pid"
        echo "127.0.0.1:$port" > "$dir/addr"
        echo "127.0.0.1:$port"
        return 0
      fi
      sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "registry.sh: could not start $bin (see $dir/log)" >&2
  exit 1
}

stop() {
  [ -f "$dir/pid" ] || exit 0
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: registry.sh start|stop DIR" >&2; exit 2 ;;
esac
