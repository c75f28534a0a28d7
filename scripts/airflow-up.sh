#!/usr/bin/env bash
# Start the sample newsroom and Airflow (api-server, scheduler, dag-processor, triggerer) from .venv,
# in the background, with scripts/airflow-env.sh settings; wait until the UI answers; print the URL
# and the login. Stop everything with scripts/airflow-down.sh.
#
#   bash scripts/airflow-up.sh
#
# Environment: NEWSROOM_PORT (8765), AIRFLOW__API__PORT (8080), AIRFLOW__API__HOST (127.0.0.1),
# AIRFLOW_UP_TIMEOUT (seconds to wait for the api-server, 240), NEWSFLOW_VENV (.venv), and
# everything scripts/airflow-env.sh reads. Each process runs in its own session (setsid), so
# airflow-down.sh can stop it with all its children; PIDs go to $AIRFLOW_HOME/newsflow-pids and
# logs to $AIRFLOW_HOME/logs/newsflow-up/. A second call while everything runs only says so.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
user_feeds="${NEWSFLOW_FEEDS:-}"
# shellcheck source=scripts/airflow-env.sh
source scripts/airflow-env.sh
source scripts/airflow-procs.sh

VENV="${NEWSFLOW_VENV:-$ROOT/.venv}"
BIN="$VENV/bin"
if [ ! -x "$BIN/airflow" ] || [ ! -x "$BIN/newsflow" ]; then
  echo "airflow-up: $BIN has no airflow/newsflow; run 'bash scripts/setup.sh' first" >&2
  exit 1
fi
# `airflow` starts helpers as a bare `airflow`: the venv must come first on PATH.
export PATH="$BIN:$PATH"
export VIRTUAL_ENV="$VENV"
# This checkout's pipeline and plugins, even when the venv's editable install points elsewhere.
export PYTHONPATH="$ROOT/pipeline${PYTHONPATH:+:$PYTHONPATH}"
export NEWSROOM_PORT="${NEWSROOM_PORT:-8765}"
export AIRFLOW__API__PORT="${AIRFLOW__API__PORT:-8080}"
export AIRFLOW__API__HOST="${AIRFLOW__API__HOST:-127.0.0.1}"
API_URL="http://127.0.0.1:${AIRFLOW__API__PORT}"
# Task processes reach the api-server here; Airflow's default assumes port 8080.
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-$API_URL/execution/}"
TIMEOUT="${AIRFLOW_UP_TIMEOUT:-240}"
LOGS="$AIRFLOW_HOME/logs/newsflow-up"

PASSWORDS="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
mkdir -p "$LOGS"

print_login() {
  local password="(see $PASSWORDS)"
  if [ -s "$PASSWORDS" ]; then
    password="$("$BIN/python" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("admin", "?"))' "$PASSWORDS")"
  fi
  echo "  UI        $API_URL   (login: admin / $password)"
  echo "  health    $API_URL/plugin/news-health"
  echo "  newsroom  http://127.0.0.1:$NEWSROOM_PORT"
  echo "  data      $NEWSFLOW_DATA"
  echo "  logs      $LOGS/"
  echo "  stop      bash scripts/airflow-down.sh"
}

STATE="$AIRFLOW_HOME/newsflow-up.env"  # where the running set listens, for a second call
if [ -s "$PIDFILE" ]; then
  # shellcheck disable=SC1090
  [ -s "$STATE" ] && source "$STATE"
  alive=0; dead=()
  while read -r name pid start; do
    if proc_is "$pid" "$start"; then alive=$((alive + 1)); else dead+=("$name"); fi
  done < "$PIDFILE"
  if [ "$alive" -gt 0 ] && [ "${#dead[@]}" -eq 0 ]; then
    echo "newsflow: already running (PIDs in $PIDFILE)"
    print_login
    exit 0
  fi
  if [ "$alive" -gt 0 ]; then
    echo "airflow-up: partly running, stopped: ${dead[*]}; run 'bash scripts/airflow-down.sh' first" >&2
    exit 1
  fi
  rm -f "$PIDFILE"  # every recorded process is gone (reboot, kill): start afresh
fi

for port in "$NEWSROOM_PORT" "$AIRFLOW__API__PORT"; do
  if port_open "$port"; then
    echo "airflow-up: port $port on 127.0.0.1 is already taken; set NEWSROOM_PORT / AIRFLOW__API__PORT" >&2
    exit 1
  fi
done

# The repo's feeds.yaml points at the newsroom on 8765; on another port, use a feeds file for it.
newsroom_args=(newsroom --port "$NEWSROOM_PORT")
if [ -z "$user_feeds" ] && [ "$NEWSROOM_PORT" != 8765 ]; then
  export NEWSFLOW_FEEDS="$AIRFLOW_HOME/newsroom-feeds.yaml"
  newsroom_args+=(--write-feeds "$NEWSFLOW_FEEDS")
fi

echo "[up] migrating Airflow's metadata DB in $AIRFLOW_HOME"
"$BIN/airflow" db migrate > "$LOGS/db-migrate.log" 2>&1 || { tail -20 "$LOGS/db-migrate.log" >&2; exit 1; }
"$BIN/airflow" pools set http 4 "HTTP fetches (feeds, pages)" >> "$LOGS/db-migrate.log" 2>&1

: > "$PIDFILE"
printf 'API_URL=%q\nNEWSROOM_PORT=%q\nNEWSFLOW_DATA=%q\n' "$API_URL" "$NEWSROOM_PORT" "$NEWSFLOW_DATA" > "$STATE"
failed() {
  echo "airflow-up: $1; stopping what was started" >&2
  for log in "$LOGS"/*.log; do echo "--- ${log##*/} (last lines)" >&2; tail -5 "$log" >&2; done
  bash "$ROOT/scripts/airflow-down.sh" >&2 || true
  exit 1
}

start newsroom "$BIN/newsflow" "${newsroom_args[@]}"
wait_for_port "$NEWSROOM_PORT" 30 || failed "the newsroom did not open port $NEWSROOM_PORT"
start api-server "$BIN/airflow" api-server --port "$AIRFLOW__API__PORT" --host "$AIRFLOW__API__HOST"
start scheduler "$BIN/airflow" scheduler
start dag-processor "$BIN/airflow" dag-processor
start triggerer "$BIN/airflow" triggerer

echo "[up] waiting for the api-server on $API_URL (up to ${TIMEOUT}s)"
deadline=$((SECONDS + TIMEOUT))
until "$BIN/python" - "$API_URL/api/v2/monitor/health" <<'EOF' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    sys.exit(0 if r.status == 200 else 1)
EOF
do
  while read -r name pid start; do
    proc_is "$pid" "$start" || failed "$name exited (log: $LOGS/$name.log)"
  done < "$PIDFILE"
  [ "$SECONDS" -lt "$deadline" ] || failed "the api-server did not answer within ${TIMEOUT}s"
  sleep 2
done
for _ in $(seq 1 30); do [ -s "$PASSWORDS" ] && break; sleep 1; done

echo "newsflow: Airflow is up"
print_login
