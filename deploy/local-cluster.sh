#!/usr/bin/env bash
# Sluice on one machine: two mock vLLM pools and N clustered dispatcher nodes sharing their calibration.
#
#   deploy/local-cluster.sh start [N]   start mock pools and N dispatchers (default 3), then return
#   deploy/local-cluster.sh status      GET /admin/cluster on every node
#   deploy/local-cluster.sh stop        stop what 'start' started (by the pids it recorded)
#
# Node i (0-based) serves HTTP on $BASE_HTTP+i, its management listener (/metrics, /admin/*) on
# 127.0.0.1:$BASE_MGMT+i, and runs its Hazelcast member on 127.0.0.1:$BASE_HZ+i.
# Its calibration is saved to $RUN_DIR/node-i.json, so a stop/start keeps what it learned.
# Environment: BASE_HTTP (8080), BASE_MGMT (9464), BASE_HZ (5701), SHORT_PORT (9001), LONG_PORT (9003),
#              CLUSTER_NAME (sluice-local), RUN_DIR (${TMPDIR:-/tmp}/sluice-local-cluster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE_HTTP="${BASE_HTTP:-8080}"
BASE_MGMT="${BASE_MGMT:-9464}"
BASE_HZ="${BASE_HZ:-5701}"
SHORT_PORT="${SHORT_PORT:-9001}"
LONG_PORT="${LONG_PORT:-9003}"
CLUSTER_NAME="${CLUSTER_NAME:-sluice-local}"
RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/sluice-local-cluster}"
PIDS="$RUN_DIR/pids"

start() {
  local n="${1:-3}"
  mkdir -p "$RUN_DIR"
  if [ -s "$PIDS" ]; then
    echo "already started (see $PIDS); run '$0 stop' first" >&2
    exit 1
  fi
  # Build once up front, so the nodes below do not all try to build at the same time.
  "$root/sluice" --help >/dev/null

  launch mock-short mock-vllm --profile short --port "$SHORT_PORT"
  launch mock-long mock-vllm --profile long --port "$LONG_PORT"

  local members="" i
  for ((i = 0; i < n; i++)); do
    members+="${members:+,}127.0.0.1:$((BASE_HZ + i))"
  done
  for ((i = 0; i < n; i++)); do
    launch "node-$i" dispatcher \
      --port "$((BASE_HTTP + i))" --management-port "$((BASE_MGMT + i))" \
      --pool "short=8192@http://127.0.0.1:$SHORT_PORT" \
      --pool "long=65536@http://127.0.0.1:$LONG_PORT" \
      --cluster --cluster-name "$CLUSTER_NAME" --members "$members" \
      --hz-port "$((BASE_HZ + i))" \
      --calibration-file "$RUN_DIR/node-$i.json"
  done
  echo "logs in $RUN_DIR; nodes on http://127.0.0.1:$BASE_HTTP..$((BASE_HTTP + n - 1))"
  echo "try:  curl -s http://127.0.0.1:$BASE_MGMT/admin/cluster    or    $0 status"
}

launch() {
  local name="$1"
  shift
  "$root/sluice" "$@" >"$RUN_DIR/$name.log" 2>&1 &
  echo "$! $name" >>"$PIDS"
  echo "started $name (pid $!)"
}

status() {
  local port
  for ((port = BASE_MGMT; ; port++)); do
    curl -fsS --max-time 2 "http://127.0.0.1:$port/admin/cluster" 2>/dev/null || break
    echo
  done
}

stop() {
  [ -f "$PIDS" ] || { echo "nothing recorded in $PIDS"; return 0; }
  local pid name
  # Dispatchers first (they save their calibration on the way out), then the mock pools.
  tac "$PIDS" | while read -r pid name; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" && echo "stopping $name (pid $pid)"
    fi
  done
  tac "$PIDS" | while read -r pid name; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
  rm -f "$PIDS"
}

case "${1:-start}" in
  start) start "${2:-3}" ;;
  status) status ;;
  stop) stop ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
